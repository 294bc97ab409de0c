using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portico.Hosting;

/// <summary>Runs the <see cref="OperatorRuntime"/> (and local mode's helpers) for the host; a failure stops the host with exit code 1.</summary>
public sealed partial class OperatorService(
    OperatorRuntime runtime,
    IEnumerable<Func<CancellationToken, Task>> companions,
    IHostApplicationLifetime lifetime,
    ILogger<OperatorService> logger) : BackgroundService
{
    /// <summary>Why the operator stopped on its own, if it did.</summary>
    public Exception? Failure { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(companions.Select(c => c(stoppingToken)).Append(runtime.RunAsync(stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Graceful shutdown.
        }
#pragma warning disable CA1031 // Any failure of the pipeline ends the process: logged, then the host stops with exit code 1.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Failure = e;
            LogFailed(e);
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The operator failed and stops")]
    private partial void LogFailed(Exception exception);
}
