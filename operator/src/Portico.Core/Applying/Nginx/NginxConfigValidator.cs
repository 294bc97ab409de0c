namespace Portico.Core.Applying.Nginx;

/// <summary>
/// Runs <c>nginx -t</c> on a staged version, with the shared directory as prefix exactly as the sidecar runs it, so
/// relative paths resolve the same way. The operator image carries the same nginx build as the sidecar for this. Then
/// the certificates the Lua loads when nginx loads the configuration, which `nginx -t` does not (ADR 0017).
/// </summary>
public sealed class NginxConfigValidator(string nginxBinary, string prefix, TimeSpan timeout) : IConfigValidator
{
    private readonly NginxCertificatesCheck _certificates = new();

    public async Task<string?> ValidateAsync(string versionDirectory, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(prefix).TrimEnd('/') + "/";
        string config = Path.GetRelativePath(root, Path.Combine(versionDirectory, "nginx.conf"));
        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync([nginxBinary, "-t", "-q", "-p", root, "-c", config, "-e", "stderr"], timeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return $"nginx -t could not run: {e.Message}";
        }

        return result.ExitCode != 0 ? $"nginx -t rejected the configuration: {result.Output}" : _certificates.Check(versionDirectory);
    }
}
