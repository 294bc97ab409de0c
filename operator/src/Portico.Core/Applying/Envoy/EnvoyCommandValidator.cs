using System.Security.Cryptography;
using Portico.Core.Rendering.Envoy;

namespace Portico.Core.Applying.Envoy;

/// <summary>
/// Runs <c>envoy --mode validate -c current/envoy.json</c> on a staged version before it is swapped in, where an
/// Envoy binary is available (the operator image, local mode). Envoy resolves every path relative to its working
/// directory through the link <c>current</c>, and the real <c>current</c> still points at the running version: so
/// Envoy runs in a scratch directory of the shared root whose own <c>current</c> links to the staged version. The
/// scratch directory is removed afterwards.
/// </summary>
public sealed class EnvoyCommandValidator(string envoyBinary, TimeSpan timeout) : IConfigValidator
{
    /// <summary>The bootstrap as Envoy is started with it, relative to its working directory.</summary>
    public static string BootstrapPath => EnvoyRenderer.ReadPath(EnvoyRenderer.BootstrapFile);

    public async Task<string?> ValidateAsync(string versionDirectory, CancellationToken cancellationToken)
    {
        string staged = Path.GetFullPath(versionDirectory);
        string root = Path.GetDirectoryName(Path.GetDirectoryName(staged.TrimEnd('/'))!)!;
        string scratch = Path.Combine(root, $".validate-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        Directory.CreateDirectory(scratch);
        try
        {
            File.CreateSymbolicLink(Path.Combine(scratch, EnvoyRenderer.ConfigLink), staged);
            ProcessRunner.Result result;
            try
            {
                result = await ProcessRunner.RunAsync(Command(envoyBinary, BootstrapPath), timeout, cancellationToken, scratch);
            }
            catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
            {
                return $"envoy --mode validate could not run: {e.Message}";
            }

            return result.ExitCode == 0 ? null : $"envoy --mode validate rejected the configuration: {Tail(result.Output)}";
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The command line, argv without a shell.</summary>
    public static IReadOnlyList<string> Command(string envoyBinary, string bootstrap) =>
        [envoyBinary, "--mode", "validate", "-c", bootstrap, "--log-level", "warn"];

    /// <summary>Envoy says why at the end of its output; keep the message one bounded piece.</summary>
    private static string Tail(string output) => output.Length <= 2000 ? output : "..." + output[^2000..];
}
