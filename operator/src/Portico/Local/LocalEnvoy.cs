using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;
using Portico.Core.Applying.Envoy;

namespace Portico.Local;

/// <summary>
/// Local mode's Envoy: Portico starts it itself on the shared directory (working directory the shared root,
/// <c>envoy -c current/envoy.json</c>, output inherited) the first time a configuration is in place, and starts it
/// again when it has died. Envoy needs no signal for later configurations: it watches the root, so the applier's swap
/// of <c>current</c> is the reload, and the admin API confirms it. Stopping kills it, bounded.
/// </summary>
public sealed partial class LocalEnvoy : IReloadTrigger, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly string _binary;
    private readonly string _root;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _started = new(0);
    private Process? _process;

    public LocalEnvoy(string binary, string root, ILogger<LocalEnvoy> logger)
    {
        _binary = binary;
        _root = Path.GetFullPath(root);
        _logger = logger;
    }

    /// <summary>The first "envoy" on PATH, else null.</summary>
    public static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "envoy"))
            .FirstOrDefault(File.Exists);

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

    /// <summary>True when Envoy runs (it reads the swapped link itself); false when it had to be started now.</summary>
    public Task<bool> TriggerAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_process is { HasExited: false })
            {
                return Task.FromResult(true);
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

    /// <summary>Starts Envoy again, after <paramref name="delay"/>, whenever it exits while Portico runs.</summary>
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
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(StopTimeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    // Killed; the kernel reaps it.
                }
            }
        }
    }

    private Process Start()
    {
        var start = EnvoyLocalMode.StartInfo(_binary, _root, "info");
        var process = Process.Start(start) ?? throw new ReloadException($"{_binary} did not start");
        LogStarted(process.Id, _root);
        _started.Release();
        return process;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started Envoy (pid {Pid}) in {Root}")]
    private partial void LogStarted(int pid, string root);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Envoy had exited (code {Code}); starting it again")]
    private partial void LogRestarting(int code);
}
