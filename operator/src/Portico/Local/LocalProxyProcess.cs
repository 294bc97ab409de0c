using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;
using Portico.Core.Proxies;

namespace Portico.Local;

/// <summary>
/// A proxy process local mode runs itself: started the first time a configuration is in place (a reload asked of a
/// proxy that is not running starts it, and it reads the configuration then), asked to reload while it runs,
/// started again when it has died (after a <see cref="RestartBackoff"/> delay), and stopped gracefully (then killed,
/// bounded) with Portico. How to start, reload and stop it is the proxy's own (<see cref="ProxyKind.LocalStartInfo"/>,
/// <see cref="ProxyKind.ReloadLocal"/>, <see cref="ProxyKind.StopLocal"/>). The proxy runs as the leader of a
/// process group of its own (<see cref="ProcessGroup"/>): before it is started again, and when Portico stops, what is
/// left of that group (nginx's workers, orphaned when their master was killed, still holding the ports) is killed.
/// </summary>
public sealed partial class LocalProxyProcess : IReloadTrigger, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long killed leftovers of a group may take to die before the proxy is started anyway.</summary>
    private static readonly TimeSpan LeftoverTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LeftoverPollInterval = TimeSpan.FromMilliseconds(20);

    private readonly ProxyKind _kind;
    private readonly string _binary;
    private readonly string _root;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _started = new(0);
    private Process? _process;
    private long _startedAt;
    private bool _ownGroup;
    private bool _warnedNoSetsid;
    private bool _disposed;

    /// <summary>Local mode's <paramref name="kind"/>, running <paramref name="binary"/> on the shared directory <paramref name="root"/>.</summary>
    public LocalProxyProcess(ProxyKind kind, string binary, string root, ILogger<LocalProxyProcess> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        _kind = kind;
        _binary = binary;
        _root = Path.GetFullPath(root);
        _logger = logger;
        _time = time ?? TimeProvider.System;
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

    public async Task<bool> TriggerAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Process? current;
            lock (_lock)
            {
                current = _process;
            }

            if (_disposed)
            {
                return false;
            }

            if (current is { HasExited: false } running)
            {
                return _kind.ReloadLocal(running);
            }

            if (current is { } dead)
            {
                LogRestartingProxy(_kind.DisplayName, dead.ExitCode);
                await EndLeftoversAsync(dead, cancellationToken);
                lock (_lock)
                {
                    _process = null; // Not a disposed process, should the start below fail.
                }

                dead.Dispose();
            }

            Start();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Starts the proxy again whenever it exits while Portico runs, after the delay <paramref name="backoff"/> gives
    /// for how long it had run (on <see cref="TimeProvider"/> time). A reload asked meanwhile starts it at once.
    /// </summary>
    public async Task SuperviseAsync(RestartBackoff backoff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backoff);
        while (true)
        {
            await _started.WaitAsync(cancellationToken);
            Process? watched;
            long startedAt;
            lock (_lock)
            {
                watched = _process;
                startedAt = _startedAt;
            }

            if (watched is null)
            {
                continue;
            }

            await watched.WaitForExitAsync(cancellationToken);
            var ranFor = _time.GetElapsedTime(startedAt);
            var delay = backoff.Next(ranFor);
            LogProxyExited(_kind.DisplayName, watched.ExitCode, ranFor.TotalSeconds, delay.TotalSeconds);

            // At once, not after the delay: orphaned workers would keep the ports, and serve, meanwhile.
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (!_disposed && ReferenceEquals(_process, watched))
                {
                    await EndLeftoversAsync(watched, cancellationToken);
                }
            }
            finally
            {
                _gate.Release();
            }

            await Task.Delay(delay, _time, cancellationToken);
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
        await _gate.WaitAsync();
        try
        {
            if (!_disposed)
            {
                _disposed = true;
                await StopAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StopAsync()
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

        using (process)
        {
            if (!process.HasExited && _kind.StopLocal(process))
            {
                using var timeout = new CancellationTokenSource(StopTimeout, _time);
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
                await process.WaitForExitAsync();
            }

            await EndLeftoversAsync(process, CancellationToken.None);
        }
    }

    /// <summary>
    /// Kills what is left of the exited proxy's process group and waits (bounded) until none of it is alive, so that
    /// the ports it held are free. The next start goes ahead after the bound anyway; if a port is still taken, that
    /// start fails and the backoff spaces the next.
    /// </summary>
    private async Task EndLeftoversAsync(Process exited, CancellationToken cancellationToken)
    {
        if (!_ownGroup || !ProcessGroup.HasLiveMembers(exited.Id) || !ProcessGroup.Kill(exited.Id))
        {
            return;
        }

        LogEndingLeftovers(_kind.DisplayName, exited.Id);
        long since = _time.GetTimestamp();
        while (ProcessGroup.HasLiveMembers(exited.Id))
        {
            if (_time.GetElapsedTime(since) >= LeftoverTimeout)
            {
                LogLeftoversLive(_kind.DisplayName, exited.Id, LeftoverTimeout.TotalSeconds);
                return;
            }

            await Task.Delay(LeftoverPollInterval, _time, cancellationToken);
        }
    }

    private void Start()
    {
        var start = _kind.LocalStartInfo(_binary, _root);
        var inOwnGroup = ProcessGroup.InNewSession(start);
        if (inOwnGroup is null && !_warnedNoSetsid)
        {
            _warnedNoSetsid = true;
            LogNoSetsid(_kind.DisplayName);
        }

        var process = Process.Start(inOwnGroup ?? start) ?? throw new ReloadException($"{start.FileName} did not start");
        lock (_lock)
        {
            _process = process;
            _startedAt = _time.GetTimestamp();
            _ownGroup = inOwnGroup is not null;
        }

        LogStarted(_kind.DisplayName, process.Id, start.FileName);
        _started.Release();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started {Proxy} (pid {Pid}, {Binary})")]
    private partial void LogStarted(string proxy, int pid, string binary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Proxy} exited (code {Code}) after {RanSeconds:0.#} s; starting it again in {DelaySeconds:0.#} s")]
    private partial void LogProxyExited(string proxy, int code, double ranSeconds, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting {Proxy} again (it had exited with code {Code})")]
    private partial void LogRestartingProxy(string proxy, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ending what is left of {Proxy}'s process group {Group} (workers whose master died hold its ports)")]
    private partial void LogEndingLeftovers(string proxy, int group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Proxy}'s process group {Group} still has live processes after {Seconds} s; starting anyway")]
    private partial void LogLeftoversLive(string proxy, int group, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "setsid(1) not found: {Proxy} shares Portico's process group, and if it dies its child processes cannot be ended")]
    private partial void LogNoSetsid(string proxy);
}
