using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;

namespace Portico.Local;

/// <summary>
/// Local mode's nginx: Portico starts it itself on the shared directory (<c>nginx -p DIR/ -c current/nginx.conf</c>,
/// in the foreground, output inherited) the first time a configuration is ready, signals it (SIGHUP) for later
/// reloads, and starts it again when it has died. Stopping sends SIGQUIT (graceful) and then kills, bounded.
/// </summary>
public sealed partial class LocalNginx : IReloadTrigger, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly string _binary;
    private readonly string _prefix;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _started = new(0);
    private Process? _process;

    public LocalNginx(string binary, string prefix, ILogger<LocalNginx> logger)
    {
        _binary = binary;
        _prefix = Path.GetFullPath(prefix).TrimEnd('/') + "/";
        _logger = logger;
    }

    /// <summary>The first "nginx" on PATH, else /usr/sbin/nginx, else null.</summary>
    public static string? FindBinary()
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin"))
        {
            string candidate = Path.Combine(directory, "nginx");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public int? ProcessId
    {
        get
        {
            lock (_lock)
            {
                return _process is { HasExited: false } p ? p.Id : null;
            }
        }
    }

    public Task<bool> TriggerAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_process is { HasExited: false } running)
            {
                return PosixSignals.TrySend(running.Id, PosixSignals.Hangup, out int errno)
                    ? Task.FromResult(true)
                    : throw new ReloadException($"could not signal nginx (pid {running.Id}): errno {errno}");
            }

            if (_process is { } dead)
            {
                LogRestarting(dead.ExitCode);
                dead.Dispose();
            }

            _process = Start();
            return Task.FromResult(false);
        }
    }

    /// <summary>Starts nginx again, after <paramref name="delay"/>, whenever it exits while Portico runs.</summary>
    public async Task SuperviseAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        while (true)
        {
            await _started.WaitAsync(cancellationToken);
            Process? watched;
            lock (_lock)
            {
                watched = _process;
            }

            if (watched is null)
            {
                continue;
            }

            await watched.WaitForExitAsync(cancellationToken);
            await Task.Delay(delay, time, cancellationToken);
            bool restart;
            lock (_lock)
            {
                restart = ReferenceEquals(_process, watched);
            }

            if (restart)
            {
                await TriggerAsync(cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Process? process;
        lock (_lock)
        {
            process = _process;
            _process = null;
        }

        if (process is null)
        {
            return;
        }

        _started.Dispose();
        using (process)
        {
            if (!process.HasExited && PosixSignals.TrySend(process.Id, PosixSignals.Quit, out _))
            {
                using var timeout = new CancellationTokenSource(StopTimeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    // Fall through to kill.
                }
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private Process Start()
    {
        var start = new ProcessStartInfo(_binary) { UseShellExecute = false };
        foreach (string argument in new[] { "-p", _prefix, "-c", "current/nginx.conf", "-e", "stderr", "-g", "daemon off;" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new ReloadException($"{_binary} did not start");
        LogStarted(process.Id, _prefix);
        _started.Release();
        return process;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started nginx (pid {Pid}) on {Prefix}")]
    private partial void LogStarted(int pid, string prefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nginx had exited (code {Code}); starting it again")]
    private partial void LogRestarting(int code);
}
