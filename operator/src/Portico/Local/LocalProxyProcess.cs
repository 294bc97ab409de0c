using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;

namespace Portico.Local;

/// <summary>
/// A proxy process local mode runs itself: started the first time a configuration is in place (a reload asked of a
/// proxy that is not running starts it, and it reads the configuration then), asked to reload while it runs,
/// started again when it has died, and stopped gracefully (then killed, bounded) with Portico.
/// </summary>
public abstract partial class LocalProxyProcess : IReloadTrigger, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _started = new(0);
    private Process? _process;

    protected LocalProxyProcess(string name, ILogger logger)
    {
        _name = name;
        _logger = logger;
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
                return Task.FromResult(Reload(running));
            }

            if (_process is { } dead)
            {
                LogRestartingProxy(_name, dead.ExitCode);
                dead.Dispose();
            }

            _process = Start();
            return Task.FromResult(false);
        }
    }

    /// <summary>Starts the proxy again, after <paramref name="delay"/>, whenever it exits while Portico runs.</summary>
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
        GC.SuppressFinalize(this);
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
            if (!process.HasExited && RequestStop(process))
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

    /// <summary>How to start the proxy (output inherited, in the foreground).</summary>
    protected abstract ProcessStartInfo CreateStartInfo();

    /// <summary>Asks the running proxy to load the configuration again; true when asked (throws <see cref="ReloadException"/> when that fails).</summary>
    protected abstract bool Reload(Process running);

    /// <summary>Asks the proxy to stop gracefully; false when it has no graceful stop (it is then killed).</summary>
    protected abstract bool RequestStop(Process running);

    private Process Start()
    {
        var start = CreateStartInfo();
        var process = Process.Start(start) ?? throw new ReloadException($"{start.FileName} did not start");
        LogStarted(_name, process.Id, start.FileName);
        _started.Release();
        return process;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started {Proxy} (pid {Pid}, {Binary})")]
    private partial void LogStarted(string proxy, int pid, string binary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Proxy} had exited (code {Code}); starting it again")]
    private partial void LogRestartingProxy(string proxy, int code);
}
