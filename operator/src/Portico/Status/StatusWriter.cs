using System.Collections.Immutable;
using k8s;
using Microsoft.Extensions.Logging;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Leadership;
using Portico.Observability;
using Portico.Syncing;

namespace Portico.Status;

/// <summary>
/// The one writer of status, for any kind, while this replica leads: it applies the desired statuses the build put in
/// <see cref="ProxyModel.Statuses"/>. Ingresses get their load-balancer addresses (<see cref="IngressAddressWriter"/>,
/// only when addresses are configured); kinds with conditions get status.conditions through the generic API
/// (<see cref="ConditionStatusWriter"/>). Both write only what differs and retry a 409 after reading again (bounded).
/// A sync runs when a term starts, when the desired statuses change (not on every model: endpoint churn rebuilds often
/// and changes nothing here), every resync period (repairs status changed by others, picks up a new load-balancer
/// address), and after a failure with delays from 1 s doubling to 30 s. <see cref="OnModel"/> only posts the model.
/// </summary>
public sealed partial class StatusWriter : IModelListener
{
    private static readonly TimeSpan InitialRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly IngressStatusOptions _options;
    private readonly ILeadership _leadership;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PorticoMetrics _metrics;
    private readonly IngressAddressWriter _ingresses;
    private readonly ConditionStatusWriter _conditions;
    private readonly ModelMailbox _mailbox = new();
    private ProxyModel? _latest;

    public StatusWriter(
        IKubernetes client,
        IngressStatusOptions options,
        BuildOptions build,
        ILeadership leadership,
        TimeProvider time,
        ILogger<StatusWriter> logger,
        PorticoMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(build);
        _options = options;
        _leadership = leadership;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _ingresses = new IngressAddressWriter(client, options, build.IngressClassName, build.ControllerName, logger, metrics);
        _conditions = new ConditionStatusWriter(client, time, logger, metrics);
    }

    /// <summary>
    /// What the writer calls, beyond watching: Ingresses are listed (one paged list per sync), read again after a 409,
    /// and their status replaced; our IngressClass and the publish Service are read; each kind with conditions is read
    /// and its status patched.
    /// </summary>
    public static IReadOnlyList<ApiAccess> Permissions { get; } =
    [
        new("networking.k8s.io", "ingresses", ["get", "list"]),
        new("networking.k8s.io", "ingresses/status", ["update"]),
        new("networking.k8s.io", "ingressclasses", ["get"]),
        new(string.Empty, "services", ["get"]),
        .. StatusResources.WithConditions.SelectMany(r => new ApiAccess[]
        {
            new(r.Group, r.Plural, ["get"]),
            new(r.Group, r.Plural + "/status", ["patch"]),
        }),
    ];

    /// <summary>Counts the times the writer finished its work and waits for more (a test seam).</summary>
    internal IdleSignal Idle { get; } = new();

    public void OnModel(ProxyModel model) => _mailbox.Post(model);

    /// <summary>Writes status during every term of leadership until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            LogAddressesDisabled();
        }

        await _leadership.RunEachTermAsync(LeadAsync, cancellationToken);
    }

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        EquatableArray<ObjectStatus>? synced = null;
        bool resyncDue = true;
        long? nextSyncAt = null;
        var retryDelay = InitialRetryDelay;
        while (true)
        {
            while (_mailbox.TryTake(out var model))
            {
                _latest = model;
            }

            if (_latest is { } latest)
            {
                if (!resyncDue && synced is { } done && SameWrites(done, latest.Statuses))
                {
                    // Nothing to write; keep the newer array, equal in what it writes, so an older model's statuses are
                    // not held for good (~3 MiB at 10,000 Ingresses, issue 13).
                    synced = latest.Statuses;
                }
                else if (await SyncAsync(latest.Statuses, cancellationToken))
                {
                    synced = latest.Statuses;
                    retryDelay = InitialRetryDelay;
                    nextSyncAt = _time.GetTimestamp() + (long)(_options.ResyncPeriod.TotalSeconds * _time.TimestampFrequency);
                }
                else
                {
                    synced = null;
                    nextSyncAt = _time.GetTimestamp() + (long)(retryDelay.TotalSeconds * _time.TimestampFrequency);
                    retryDelay = retryDelay * 2 < MaxRetryDelay ? retryDelay * 2 : MaxRetryDelay;
                }
            }

            resyncDue = await WaitAsync(nextSyncAt, cancellationToken);
        }
    }

    /// <summary>
    /// Whether two sets of desired statuses would write the same: an Ingress's generation alone changes nothing it
    /// gets (its addresses do not depend on it), while a condition's observedGeneration is part of what is written.
    /// </summary>
    private static bool SameWrites(EquatableArray<ObjectStatus> synced, EquatableArray<ObjectStatus> latest) =>
        synced.IsSameInstance(latest) || synced.Length == latest.Length
        && synced.Zip(latest).All(pair => pair.First.Conditions.IsEmpty
            ? pair.First with { Generation = null } == pair.Second with { Generation = null }
            : pair.First == pair.Second);

    /// <summary>Waits for a newer model or the next sync time; true when the time came. Arms both before signalling idle.</summary>
    private async Task<bool> WaitAsync(long? until, CancellationToken cancellationToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var model = _mailbox.WaitAsync(wake.Token);
        var delay = until is { } at
            ? _time.GetElapsedTime(_time.GetTimestamp(), Math.Max(at, _time.GetTimestamp()))
            : Timeout.InfiniteTimeSpan;
        var timer = Task.Delay(delay, _time, wake.Token);
        Idle.Increment();
        await Task.WhenAny(model, timer);
        await wake.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return timer.IsCompletedSuccessfully;
    }

    /// <summary>One pass over every desired status; false when anything failed (the caller retries later).</summary>
    private async Task<bool> SyncAsync(EquatableArray<ObjectStatus> statuses, CancellationToken cancellationToken)
    {
        // A missing publish Service fails the Ingress part only: conditions do not depend on it.
        bool ok = !_options.Enabled || await _ingresses.SyncAsync(statuses, cancellationToken);
        ok &= await _conditions.SyncAsync(statuses, cancellationToken);
        _metrics.StatusSyncs.WithLabels(ok ? "ok" : "failed").Inc();
        return ok;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No status:publishService or status:addresses configured; Ingress addresses are not published (conditions of other kinds still are)")]
    private partial void LogAddressesDisabled();
}
