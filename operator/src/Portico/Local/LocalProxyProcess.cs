using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;
using Portico.Core.Proxies;

namespace Portico.Local;

/// <summary>
/// A proxy process local mode runs itself: started the first time a configuration is in place (a reload asked of a
/// proxy that is not running starts it, and it reads the configuration then), asked to reload while it runs,
/// started again when it has died, and stopped gracefully (then killed, bounded) with Portico. How to start, reload
/// and stop it is the proxy's own (<see cref="ProxyKind.LocalStartInfo"/>, <see cref="ProxyKind.ReloadLocal"/>,
/// <see cref="ProxyKind.StopLocal"/>).
/// </summary>
public sealed partial class LocalProxyProcess : IReloadTrigger, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly ProxyKind _kind;
    private readonly string _binary;
    private readonly string _root;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _started = new(0);
    private Process? _process;

    /// <summary>Local mode's <paramref name="kind"/>, running <paramref name="binary"/> on the shared directory <paramref name="root"/>.</summary>
    public LocalProxyProcess(ProxyKind kind, string binary, string root, ILogger<LocalProxyProcess> logger)
    {
        ArgumentNullException.ThrowIfNull(kind);
        _kind = kind;
        _binary = binary;
        _root = Path.GetFullPath(root);
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
                return Task.FromResult(_kind.ReloadLocal(running));
            }

            if (_process is { } dead)
            {
                LogRestartingProxy(_kind.DisplayName, dead.ExitCode);
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
            if (!process.HasExited && _kind.StopLocal(process))
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
        var start = _kind.LocalStartInfo(_binary, _root);
        var process = Process.Start(start) ?? throw new ReloadException($"{start.FileName} did not start");
        LogStarted(_kind.DisplayName, process.Id, start.FileName);
        _started.Release();
        return process;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started {Proxy} (pid {Pid}, {Binary})")]
    private partial void LogStarted(string proxy, int pid, string binary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Proxy} had exited (code {Code}); starting it again")]
    private partial void LogRestartingProxy(string proxy, int code);
}
