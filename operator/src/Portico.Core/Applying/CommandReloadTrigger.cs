namespace Portico.Core.Applying;

/// <summary>Reloads the proxy by running a configured command (argv, no shell), e.g. <c>nginx -s reload -p /etc/portico/</c>.</summary>
public sealed class CommandReloadTrigger(IReadOnlyList<string> command, TimeSpan timeout) : IReloadTrigger
{
    public async Task<bool> TriggerAsync(CancellationToken cancellationToken)
    {
        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync(command, timeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            throw new ReloadException($"reload command failed: {e.Message}");
        }

        return result.ExitCode == 0
            ? true
            : throw new ReloadException($"reload command exited with {result.ExitCode}: {result.Output}");
    }
}
