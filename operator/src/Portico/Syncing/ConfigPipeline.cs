using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Rendering;
using Portico.Observability;

namespace Portico.Syncing;

/// <summary>
/// Turns each snapshot into applied configuration: build, tell listeners (status, events), render, and apply
/// unless the rendered hash (files and live data) is the one already running. A failed apply is retried a bounded number of times with
/// growing delays, unless a newer snapshot arrives first (which then wins). An invalid config is never retried:
/// the last good one keeps running until the cluster changes. A preview (a quiet change's snapshot, sent before its
/// holdoff ends) is built and rendered ahead, and that work is used when its batch turns out to be the same snapshot
/// (ADR 0019).
/// </summary>
public sealed partial class ConfigPipeline
{
    private readonly ChannelReader<SyncBatch> _input;
    private readonly BuildOptions _buildOptions;
    private readonly ProxySettings _settings;
    private readonly IProxyRenderer _renderer;
    private readonly IConfigApplier _applier;
    private readonly IReadOnlyList<IModelListener> _listeners;
    private readonly ConfigPipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PorticoMetrics _metrics;
    private readonly Readiness _readiness;
    private string? _appliedIdentity;
    private readonly ChannelReader<ClusterSnapshot>? _previews;
    private Built? _last;
    private Prepared? _prepared;
    private HashSet<Diagnostic> _loggedDiagnostics = [];

    public ConfigPipeline(
        ChannelReader<SyncBatch> input,
        BuildOptions buildOptions,
        ProxySettings settings,
        IProxyRenderer renderer,
        IConfigApplier applier,
        IEnumerable<IModelListener> listeners,
        ConfigPipelineOptions options,
        TimeProvider time,
        ILogger<ConfigPipeline> logger,
        PorticoMetrics metrics,
        Readiness readiness,
        ChannelReader<ClusterSnapshot>? previews = null)
    {
        _previews = previews;
        _input = input;
        _buildOptions = buildOptions;
        _settings = settings;
        _renderer = renderer;
        _applier = applier;
        _listeners = [.. listeners];
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _readiness = readiness;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_input.TryRead(out var batch))
            {
                // A preview waiting now (the channel holds one) is older than the batch, or the batch's own: it is not
                // worth preparing.
                _previews?.TryRead(out _);

                await ProcessAsync(batch, cancellationToken);
                continue;
            }

            if (_previews?.TryRead(out var preview) == true)
            {
                _prepared = Prepare(preview, _last, ahead: true);
                continue;
            }

            if (!await WaitAsync(cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>Waits for a batch or a preview; false when the input has completed.</summary>
    private async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        if (_previews is null || _previews.Completion.IsCompleted)
        {
            return await _input.WaitToReadAsync(cancellationToken);
        }

        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = _input.WaitToReadAsync(wake.Token).AsTask();
        await Task.WhenAny(batches, _previews.WaitToReadAsync(wake.Token).AsTask());
        await wake.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return !batches.IsCompletedSuccessfully || batches.Result;
    }

    private async Task ProcessAsync(SyncBatch batch, CancellationToken cancellationToken)
    {
        var last = _last;
        _last = null;
        var prepared = _prepared is { } ahead && ReferenceEquals(ahead.Snapshot, batch.Snapshot) && ReferenceEquals(ahead.Base, last)
            ? ahead
            : Prepare(batch.Snapshot, last, ahead: false)!;
        if (_prepared is not null)
        {
            _metrics.PreparedBuilds.WithLabels(ReferenceEquals(prepared, _prepared) ? "used" : "discarded").Inc();
            _prepared = null;
        }

        var model = prepared.Model;
        _metrics.BuildDuration.Observe(prepared.BuildTime.TotalSeconds);
        _metrics.Builds.WithLabels(prepared.EndpointsOnly is null ? "full" : "endpoints").Inc();
        if (prepared.EndpointsOnly is null && prepared.Memo is { } memo)
        {
            _metrics.IngressPlans.WithLabels("reused").Inc(memo.Reused);
            _metrics.IngressPlans.WithLabels("planned").Inc(memo.Planned);
        }

        _metrics.Diagnostics.WithLabels("error").Set(model.Diagnostics.Count(d => d.Severity == Severity.Error));
        _metrics.Diagnostics.WithLabels("warning").Set(model.Diagnostics.Count(d => d.Severity == Severity.Warning));
        LogNewDiagnostics(model.Diagnostics);
        foreach (var listener in _listeners)
        {
            listener.OnModel(model);
        }

        if (prepared.Config is not { } config)
        {
            _metrics.Reloads.WithLabels("invalid").Inc();
            LogRenderFailed(prepared.RenderFailure ?? string.Empty);
            return;
        }

        _metrics.RenderDuration.Observe(prepared.RenderTime.TotalSeconds);
        _last = new Built(batch.Snapshot, model, prepared.Memo, config, prepared.EndpointsOnly?.Slices ?? last?.Slices?.CarriedTo(last.Snapshot, batch.Snapshot));
        if (config.Identity == _appliedIdentity)
        {
            _metrics.SkippedBuilds.Inc();
            LogUnchanged(config.Hash[..12]);
            return;
        }

        var applying = ApplyWithRetriesAsync(config, cancellationToken);
        if (config.LiveHash is not null)
        {
            await LookAheadAsync(applying, config, cancellationToken);
        }

        var result = await applying;
        if (result.Succeeded)
        {
            _appliedIdentity = config.Identity;
            _readiness.MarkApplied(config.Identity);
            _metrics.SetConfigHash(config.Hash);
            _metrics.LastSuccessfulReload.Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            _metrics.SyncDuration.Observe(_time.GetElapsedTime(batch.FirstChangeTimestamp).TotalSeconds);
            LogApplied(config.Hash[..12], model.ServedIngresses.Length, model.Diagnostics.Length);
        }
    }

    /// <summary>
    /// Builds and renders <paramref name="snapshot"/> on top of <paramref name="last"/>: pure work, nothing is told or
    /// applied. Ahead of its batch (a preview), it stops after the build when a different batch is already waiting
    /// (null): that batch supersedes it.
    /// </summary>
    private Prepared? Prepare(ClusterSnapshot snapshot, Built? last, bool ahead)
    {
        long started = _time.GetTimestamp();
        var endpointsOnly = last is null ? null : EndpointOnlyRebuild.TryRebuild(last.Model, last.Snapshot, snapshot, _buildOptions, last.Slices);
        var memo = last?.Memo;
        var model = endpointsOnly?.Model;
        if (model is null)
        {
            // Ingresses whose inputs did not change keep their plans from the last build (ADR 0020).
            (model, memo) = ModelBuilder.Build(snapshot, _buildOptions, memo);
            model = model.WithLimitationsOf(_renderer).Reusing(last?.Model);
        }

        var buildTime = _time.GetElapsedTime(started);
        if (ahead && _input.TryPeek(out var waiting) && !ReferenceEquals(waiting.Snapshot, snapshot))
        {
            _metrics.PreparedBuilds.WithLabels("discarded").Inc();
            return null;
        }

        long rendering = _time.GetTimestamp();
        try
        {
            var config = (endpointsOnly is { } change ? _renderer.RenderEndpointChange(last!.Config, model, change.ChangedUpstreams, _settings) : null)
                ?? _renderer.Render(model, _settings);
            return new Prepared(snapshot, last, endpointsOnly, model, memo, config, null, buildTime, _time.GetElapsedTime(rendering));
        }
        catch (TemplateException e)
        {
            return new Prepared(snapshot, last, endpointsOnly, model, memo, null, e.Message, buildTime, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// While <paramref name="config"/> is being applied (a reload and its confirmation take seconds on a large
    /// nginx), hand a newer snapshot's rendering to the applier at once: its live data (endpoints, a path's Service,
    /// a new plain-HTTP host) can be served before its own turn comes. The snapshot stays in the channel; when its turn
    /// comes on the same last build, that preparation is used (listeners and metrics are told then), as a preview's is.
    /// </summary>
    private async Task LookAheadAsync(Task applying, RenderedConfig config, CancellationToken cancellationToken)
    {
        SyncBatch? seen = null;
        while (!applying.IsCompleted)
        {
            var waiting = _input.WaitToReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(applying, waiting) == applying)
            {
                return;
            }

            if (_input.TryPeek(out var batch) && !ReferenceEquals(batch, seen))
            {
                seen = batch;
                if (_prepared is not null)
                {
                    _metrics.PreparedBuilds.WithLabels("discarded").Inc();
                }

                // A rendering that fails is reported when the batch's turn comes.
                _prepared = Prepare(batch.Snapshot, _last, ahead: false)!;
                if (_prepared.Config is { } ahead)
                {
                    _applier.PublishAhead(ahead);
                }

                continue;
            }

            // The snapshot waiting has been looked at; a newer one replaces it in the single slot.
            await Task.WhenAny(applying, Task.Delay(_options.LookAheadInterval, _time, cancellationToken));
        }
    }

    /// <summary>Each diagnostic is logged when it first appears, not on every rebuild (events carry them to the objects).</summary>
    private void LogNewDiagnostics(IEnumerable<Diagnostic> diagnostics)
    {
        var current = diagnostics.ToHashSet();
        foreach (var diagnostic in current.Where(d => !_loggedDiagnostics.Contains(d)).Order())
        {
            if (diagnostic.Severity == Severity.Error)
            {
                LogRejected(diagnostic.ToString());
            }
            else
            {
                LogWarning(diagnostic.ToString());
            }
        }

        _loggedDiagnostics = current;
    }

    private async Task<ApplyResult> ApplyWithRetriesAsync(RenderedConfig config, CancellationToken cancellationToken)
    {
        var delay = _options.InitialRetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            var result = await _applier.ApplyAsync(config, cancellationToken);
            (result.LiveOnly ? _metrics.LiveUpdates : _metrics.Reloads).WithLabels(result.Outcome switch
            {
                ApplyOutcome.Applied => "success",
                ApplyOutcome.Invalid => "invalid",
                ApplyOutcome.RolledBack => "rolled_back",
                _ => "failed",
            }).Inc();
            // Until a first configuration is serving, keep trying (at the longest delay): a quiet cluster would
            // otherwise leave the pod unready forever. After that, give up after a few attempts; the last good
            // configuration keeps serving until the cluster changes.
            bool exhausted = attempt >= _options.MaxApplyAttempts && _appliedIdentity is not null;
            if (result.Outcome is ApplyOutcome.Applied or ApplyOutcome.Invalid || exhausted)
            {
                if (!result.Succeeded)
                {
                    LogApplyGaveUp(config.Hash[..12], result.Outcome, result.Message, attempt);
                }

                return result;
            }

            LogApplyRetry(config.Hash[..12], result.Outcome, result.Message, delay);

            // Wait, but stop waiting when a newer snapshot arrives: it supersedes this config.
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var newer = _input.WaitToReadAsync(wake.Token).AsTask();
            await Task.WhenAny(newer, Task.Delay(delay, _time, wake.Token));
            await wake.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
            if (newer.IsCompletedSuccessfully && newer.Result)
            {
                return result;
            }

            delay = delay * 2 < _options.MaxRetryDelay ? delay * 2 : _options.MaxRetryDelay;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied config {Hash}: {Ingresses} Ingresses served, {Diagnostics} diagnostics")]
    private partial void LogApplied(string hash, int ingresses, int diagnostics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected: {Diagnostic}")]
    private partial void LogRejected(string diagnostic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Diagnostic}")]
    private partial void LogWarning(string diagnostic);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Config {Hash} unchanged; nothing to apply")]
    private partial void LogUnchanged(string hash);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rendering failed; the running config stays: {Reason}")]
    private partial void LogRenderFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying config {Hash} failed ({Outcome}: {Reason}); retrying in {Delay}")]
    private partial void LogApplyRetry(string hash, ApplyOutcome outcome, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Config {Hash} not applied ({Outcome}: {Reason}) after {Attempts} attempts; the running config stays until the cluster changes")]
    private partial void LogApplyGaveUp(string hash, ApplyOutcome outcome, string reason, int attempts);

    /// <summary>The last snapshot built and rendered: the base an endpoint-only batch is applied to (<see cref="EndpointOnlyRebuild"/>), with its slices' ownership when known.</summary>
    private sealed record Built(ClusterSnapshot Snapshot, ProxyModel Model, BuildMemo? Memo, RenderedConfig Config, SliceOwnership? Slices);

    /// <summary>
    /// A snapshot built and rendered on top of <see cref="Base"/> (the last built, when it was prepared): the config, or
    /// why it could not be rendered.
    /// </summary>
    private sealed record Prepared(ClusterSnapshot Snapshot, Built? Base, EndpointChange? EndpointsOnly, ProxyModel Model, BuildMemo? Memo, RenderedConfig? Config, string? RenderFailure, TimeSpan BuildTime, TimeSpan RenderTime);
}
