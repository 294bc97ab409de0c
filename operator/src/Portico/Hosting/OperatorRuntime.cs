using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Rendering;
using Portico.Observability;
using Portico.Syncing;

namespace Portico.Hosting;

/// <summary>
/// The running pipeline of DESIGN.md §1: sources -> store (single writer, batched) -> model -> render -> apply, with
/// model listeners (status, events) on the side. Runs until cancelled; if any part fails, the rest is stopped and
/// the failure surfaces, so the process exits rather than serving stale config silently.
/// </summary>
public sealed class OperatorRuntime
{
    private readonly Func<ChannelWriter<StoreEvent>, IReadOnlyList<IStoreSource>> _sources;
    private readonly BuildOptions _build;
    private readonly ProxySettings _settings;
    private readonly IProxyRenderer _renderer;
    private readonly IConfigApplier _applier;
    private readonly IReadOnlyList<IModelListener> _listeners;
    private readonly SyncOptions _sync;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _logs;
    private readonly KindRegistry _kinds;

    public OperatorRuntime(
        Func<ChannelWriter<StoreEvent>, IReadOnlyList<IStoreSource>> sources,
        BuildOptions build,
        ProxySettings settings,
        IProxyRenderer renderer,
        IConfigApplier applier,
        IReadOnlyList<IModelListener> listeners,
        SyncOptions sync,
        TimeProvider time,
        ILoggerFactory logs,
        PorticoMetrics metrics,
        Readiness readiness,
        KindRegistry? kinds = null)
    {
        _kinds = kinds ?? KindRegistry.Default;
        _sources = sources;
        _build = build;
        _settings = settings;
        _renderer = renderer;
        _applier = applier;
        _listeners = listeners;
        _sync = sync;
        _time = time;
        _logs = logs;
        Metrics = metrics;
        Readiness = readiness;
    }

    public PorticoMetrics Metrics { get; }

    /// <summary>In a cluster: reads a Secret that became referenced after it was seen (only referenced Secrets are kept). Null: keep every Secret (manifests).</summary>
    public ISecretReader? SecretReader { get; init; }

    public Readiness Readiness { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var input = SyncLoop.CreateInput();
        var batches = SyncLoop.CreateOutput();
        var previews = SyncLoop.CreatePreviews();
        var sources = _sources(input.Writer);
        var secrets = SecretReader is { } reader ? new SyncLoop.SecretFetching(new SecretKeeper(_build.DefaultCertificate), reader, input.Writer) : null;
        var loop = new SyncLoop(input.Reader, batches.Writer, sources.SelectMany(s => s.Kinds).Distinct(StringComparer.Ordinal), _sync, _time, _logs.CreateLogger<SyncLoop>(), Metrics, _kinds, secrets, previews.Writer);
        var pipeline = new ConfigPipeline(batches.Reader, _build, _settings, _renderer, _applier, _listeners, new ConfigPipelineOptions(), _time, _logs.CreateLogger<ConfigPipeline>(), Metrics, Readiness, previews.Reader);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = sources.Select(s => s.RunAsync(stop.Token)).Append(loop.RunAsync(stop.Token)).Append(pipeline.RunAsync(stop.Token)).ToList();
        var first = await Task.WhenAny(tasks);
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            await first; // A part stopped on its own: surface its failure (or say it ended).
            throw new InvalidOperationException("a part of the operator stopped unexpectedly");
        }
    }
}
