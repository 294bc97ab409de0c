using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Leadership;
using Portico.Observability;
using Portico.Syncing;

namespace Portico.Status;

/// <summary>
/// Makes every diagnostic of the latest model a Kubernetes Event (core/v1) on the object it names, while this replica
/// leads. Deduplicated: a diagnostic already recorded is not recorded again on later models; while it persists its
/// Event is bumped (count + 1, lastTimestamp) once per <see cref="EventRecorderOptions.RefreshInterval"/>, so it
/// outlives the API server's Event TTL without one write per sync. A diagnostic that goes away is forgotten, and
/// recorded (bumped) again if it comes back. Rate limited: a token bucket bounds Events per second; a diagnostic the
/// bucket refuses is dropped (counted) and tried again after <see cref="EventRecorderOptions.RetryDelay"/>. Errors go
/// before warnings, and every object's first error before any object's second, so each rejected object gets its
/// Event even when a flood of warnings, or one object's many errors, uses the budget.
/// </summary>
public sealed partial class DiagnosticEventRecorder : IModelListener
{
    private readonly IKubernetes _client;
    private readonly EventRecorderOptions _options;
    private readonly ILeadership _leadership;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PorticoMetrics _metrics;
    private readonly TokenBucket _bucket;
    private readonly ObjectUidReader _uids;
    private readonly ModelMailbox _mailbox = new();
    private readonly Dictionary<Diagnostic, Recorded> _recorded = [];
    private OrderedDiagnostics? _ordered;
    private ProxyModel? _latest;

    public DiagnosticEventRecorder(
        IKubernetes client,
        EventRecorderOptions options,
        ILeadership leadership,
        TimeProvider time,
        ILogger<DiagnosticEventRecorder> logger,
        PorticoMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
        _leadership = leadership;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _bucket = new TokenBucket(options.Burst, options.PerSecond, time);
        _uids = new ObjectUidReader(client);
    }

    /// <summary>
    /// What the recorder calls: Events created, read and bumped (core group); the uid of the object an Event is about
    /// read once per new Event (built-in kinds, and kinds with a status resource; never Secrets).
    /// </summary>
    public static IReadOnlyList<ApiAccess> Permissions { get; } =
    [
        new(string.Empty, "events", ["create", "get", "update"]),
        new("networking.k8s.io", "ingresses", ["get"]),
        new("networking.k8s.io", "ingressclasses", ["get"]),
        new(string.Empty, "services", ["get"]),
        new("discovery.k8s.io", "endpointslices", ["get"]),
        .. StatusResources.WithConditions.Select(r => new ApiAccess(r.Group, r.Plural, ["get"])),
    ];

    private enum Outcome
    {
        Created,
        Updated,
        Failed,
    }

    /// <summary>Counts the times the recorder finished its work and waits for more (a test seam).</summary>
    internal IdleSignal Idle { get; } = new();

    public void OnModel(ProxyModel model) => _mailbox.Post(model);

    /// <summary>Records Events during every term of leadership until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _leadership.RunEachTermAsync(LeadAsync, cancellationToken);
    }

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_mailbox.TryTake(out var model))
            {
                _latest = model;
            }

            DateTimeOffset? nextDue = _latest is null ? null : await RecordAsync(_latest, cancellationToken);
            await WaitAsync(nextDue, cancellationToken);
        }
    }

    /// <summary>Waits for a newer model or the time the next Event is due. Arms both before signalling idle.</summary>
    private async Task WaitAsync(DateTimeOffset? due, CancellationToken cancellationToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var model = _mailbox.WaitAsync(wake.Token);
        var now = _time.GetUtcNow();
        var delay = due is { } at ? (at > now ? at - now : TimeSpan.Zero) : Timeout.InfiniteTimeSpan;
        var timer = Task.Delay(delay, _time, wake.Token);
        Idle.Increment();
        await Task.WhenAny(model, timer);
        await wake.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Records what is due; returns when the next diagnostic will be due (null: none).</summary>
    private async Task<DateTimeOffset?> RecordAsync(ProxyModel model, CancellationToken cancellationToken)
    {
        // Errors before warnings; among them every object's first finding before anyone's second, so that under the
        // rate limit each rejected object gets its Event before one object's many findings use up the budget.
        // A model derived from the last one (an endpoint change, ADR 0010) shares its diagnostics and statuses: the
        // order and the lookup made for those are reused rather than made again for 10,000 objects.
        if (_ordered is not { } ordered || !ordered.Diagnostics.IsSameInstance(model.Diagnostics) || !ordered.Statuses.IsSameInstance(model.Statuses))
        {
            var seen = new Dictionary<(ObjectRef, Severity), int>();
            var order = model.Diagnostics.Distinct().Order()
                .Select(d => (Diagnostic: d, Rank: seen[(d.Target, d.Severity)] = seen.GetValueOrDefault((d.Target, d.Severity)) + 1))
                .OrderBy(x => x.Diagnostic.Severity == Severity.Error ? 0 : 1).ThenBy(x => x.Rank).ThenBy(x => x.Diagnostic)
                .Select(x => x.Diagnostic)
                .ToList();
            _ordered = ordered = new OrderedDiagnostics(model.Diagnostics, model.Statuses, order, model.Statuses.GroupBy(s => s.Target).ToDictionary(g => g.Key, g => g.First().Resource), [.. order]);
        }

        var (current, resources, stillThere) = (ordered.Current, ordered.Resources, ordered.Set);
        foreach (var gone in _recorded.Keys.Where(d => !stillThere.Contains(d)).ToList())
        {
            _recorded.Remove(gone);
        }

        foreach (var diagnostic in current)
        {
            var now = _time.GetUtcNow();
            _recorded.TryGetValue(diagnostic, out var previous);
            if (previous is not null && previous.Due > now)
            {
                continue;
            }

            if (!DiagnosticEvents.CanRecord(diagnostic.Target))
            {
                _recorded[diagnostic] = new Recorded(now + _options.RefreshInterval, Exists: false);
                continue;
            }

            if (!_bucket.TryTake())
            {
                _metrics.Events.WithLabels("dropped").Inc();
                _recorded[diagnostic] = new Recorded(now + _options.RetryDelay, previous?.Exists ?? false);
                continue;
            }

            var outcome = await EmitAsync(diagnostic, resources.GetValueOrDefault(diagnostic.Target), previous?.Exists ?? false, cancellationToken);
            _metrics.Events.WithLabels(outcome switch { Outcome.Created => "created", Outcome.Updated => "updated", _ => "failed" }).Inc();
            _recorded[diagnostic] = outcome == Outcome.Failed
                ? new Recorded(now + _options.RetryDelay, previous?.Exists ?? false)
                : new Recorded(now + _options.RefreshInterval, Exists: true);
        }

        return _recorded.Count == 0 ? null : _recorded.Values.Min(r => r.Due);
    }

    private async Task<Outcome> EmitAsync(Diagnostic diagnostic, StatusResource? resource, bool knownToExist, CancellationToken cancellationToken)
    {
        try
        {
            if (knownToExist && await TryBumpAsync(diagnostic, cancellationToken))
            {
                return Outcome.Updated;
            }

            if (await TryCreateAsync(diagnostic, resource, cancellationToken))
            {
                return Outcome.Created;
            }

            // Another replica (an earlier leader) recorded it: this sighting counts once more.
            return await TryBumpAsync(diagnostic, cancellationToken) ? Outcome.Updated : Outcome.Failed;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(diagnostic.Target, e.Message);
            return Outcome.Failed;
        }
    }

    /// <summary>Creates the Event; false when one of its name exists already.</summary>
    private async Task<bool> TryCreateAsync(Diagnostic diagnostic, StatusResource? resource, CancellationToken cancellationToken)
    {
        string? uid = await _uids.ReadAsync(diagnostic.Target, resource, cancellationToken);
        var created = DiagnosticEvents.Create(diagnostic, uid, _time.GetUtcNow().UtcDateTime, _options.ReportingInstance, resource?.ApiVersion);
        try
        {
            await _client.CoreV1.CreateNamespacedEventAsync(created, created.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            LogRecorded(created.Reason, diagnostic.Target, created.Message);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>Counts one more sighting on the existing Event; false when there is none (expired or deleted).</summary>
    private async Task<bool> TryBumpAsync(Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        string name = DiagnosticEvents.NameFor(diagnostic);
        string ns = DiagnosticEvents.NamespaceFor(diagnostic.Target);
        Corev1Event existing;
        try
        {
            existing = await _client.CoreV1.ReadNamespacedEventAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        existing.Count = (existing.Count ?? 1) + 1;
        existing.LastTimestamp = _time.GetUtcNow().UtcDateTime;
        try
        {
            await _client.CoreV1.ReplaceNamespacedEventAsync(existing, name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Bumped by someone else at the same moment: counted either way.
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {Reason} on {Target}: {Message}")]
    private partial void LogRecorded(string reason, ObjectRef target, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record an Event on {Target}: {Reason}")]
    private partial void LogFailed(ObjectRef target, string reason);

    /// <summary>When the diagnostic is next due (bump, or retry), and whether its Event is known to exist.</summary>
    private sealed record Recorded(DateTimeOffset Due, bool Exists);

    /// <summary>A model's diagnostics in the order Events are recorded, the resource of each object, and the set of them.</summary>
    private sealed record OrderedDiagnostics(
        EquatableArray<Diagnostic> Diagnostics,
        EquatableArray<ObjectStatus> Statuses,
        List<Diagnostic> Current,
        Dictionary<ObjectRef, StatusResource> Resources,
        HashSet<Diagnostic> Set);
}
