using System.Globalization;

namespace Portico.Core.Applying;

/// <summary>
/// Sends a signal (SIGHUP for nginx) to the master process whose pid the proxy wrote into its pid file. The
/// operator and proxy containers share the process namespace (<c>shareProcessNamespace: true</c>) for this.
/// </summary>
public sealed class PidFileReloadTrigger(string pidFile, int signal = PosixSignals.Hangup) : IReloadTrigger
{
    public string PidFile { get; } = pidFile;

    public Task<bool> TriggerAsync(CancellationToken cancellationToken)
    {
        if (ReadPid() is not { } pid)
        {
            return Task.FromResult(false);
        }

        if (PosixSignals.TrySend(pid, signal, out int errno))
        {
            return Task.FromResult(true);
        }

        // A stale pid file (the proxy is restarting): the proxy reads the new configuration when it starts.
        return errno == PosixSignals.NoSuchProcess
            ? Task.FromResult(false)
            : throw new ReloadException($"could not signal proxy process {pid} from {PidFile} (errno {errno})");
    }

    private int? ReadPid()
    {
        string text;
        try
        {
            text = File.ReadAllText(PidFile).Trim();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        // Empty: the proxy has not written its pid yet. `nginx -t` (the validator, same prefix) creates the pid file
        // without writing it, and a starting nginx truncates it before writing; a proxy that is still starting reads
        // the current configuration itself, exactly as when the file is missing.
        if (text.Length == 0)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 1
            ? pid
            : throw new ReloadException($"pid file {PidFile} does not hold a process id");
    }
}
