using Portico.Core.Kubernetes;

namespace Portico.Syncing;

/// <summary>
/// The batching rules of the sync loop, free of threads and clocks (times are passed in): applies events to the
/// store, tracks which kinds have been listed, and says when a batch is due. A batch is due once every required
/// kind is synced and the store has changed, when no change came for <see cref="SyncOptions.Holdoff"/> (for a batch of
/// EndpointSlice changes only, <see cref="SyncOptions.EndpointHoldoff"/>) or the first change is
/// <see cref="SyncOptions.MaxHoldoff"/> old. The moment the last kind syncs counts as a change, so an empty cluster
/// still gets its first build.
/// <para>
/// A batch that starts after a quiet spell (no change for <see cref="SyncOptions.MaxHoldoff"/>) is most likely one
/// change alone: <see cref="TakePreview"/> hands out its snapshot once, so the pipeline can build and render it while
/// the holdoff runs (ADR 0019). <see cref="Take"/> returns that same snapshot instance when nothing in the store changed
/// since, which is how the pipeline knows its preparation is the batch's.
/// </para>
/// </summary>
public sealed class ChangeBatcher
{
    private readonly HashSet<string> _pendingKinds;
    private readonly SyncOptions _options;
    private TimeSpan _firstChange;
    private TimeSpan _lastChange;
    private bool _onlyEndpoints;
    private bool _previewDue;
    private ClusterSnapshot? _preview;

    public ChangeBatcher(IEnumerable<string> requiredKinds, SyncOptions options, KindRegistry? kinds = null, SecretKeeper? secrets = null)
    {
        _pendingKinds = [.. requiredKinds];
        _options = options;
        Store = new ObjectStore(kinds ?? KindRegistry.Default);
        Secrets = secrets;
    }

    /// <summary>Keeps the kinds of the registry the sources were created from.</summary>
    public ObjectStore Store { get; }

    /// <summary>In a cluster: keeps only referenced Secrets (null: every Secret a source sends is kept, as from manifests).</summary>
    public SecretKeeper? Secrets { get; }

    public bool IsSynced => _pendingKinds.Count == 0;

    public bool HasChanges { get; private set; }

    /// <summary>Applies one event at time <paramref name="now"/>. Returns true when it changed what Portico reads.</summary>
    public bool Apply(StoreEvent change, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(change);
        bool wasPending = _pendingKinds.Count > 0;
        bool changed = Secrets is { } secrets ? secrets.Apply(change, Store) : change is not SecretFetched && Store.Apply(change);
        if (change is KindListed)
        {
            _pendingKinds.Remove(change.Kind);
        }

        if (wasPending && _pendingKinds.Count == 0)
        {
            Secrets?.EndInitialSync();
            changed = true;
        }

        if (changed)
        {
            // The store is no longer the preview's. (An event that changes nothing left the store as it was: a
            // status update keeps the preview.)
            _preview = null;

            // An endpoint-only batch is applied to the previous model and goes out as live data (ADR 0010): it is
            // cheap, so waiting for more of it to arrive is not worth the latency.
            bool endpoints = change.Kind == KnownKinds.EndpointSlice && !wasPending;
            _onlyEndpoints = HasChanges ? _onlyEndpoints && endpoints : endpoints;
            _previewDue = HasChanges ? _previewDue : !wasPending && now - _lastChange >= _options.MaxHoldoff;
            _firstChange = HasChanges ? _firstChange : now;
            _lastChange = now;
            HasChanges = true;
        }

        return changed;
    }

    /// <summary>How long until the pending batch is due (zero or less: now); null when there is nothing to publish.</summary>
    public TimeSpan? DueIn(TimeSpan now)
    {
        if (!HasChanges || !IsSynced)
        {
            return null;
        }

        var quiet = _lastChange + (_onlyEndpoints ? _options.EndpointHoldoff : _options.Holdoff) - now;
        var cap = _firstChange + _options.MaxHoldoff - now;
        return quiet < cap ? quiet : cap;
    }

    /// <summary>
    /// The pending batch's snapshot to prepare ahead of its holdoff, once per batch: only for a batch that started
    /// after a quiet spell and holds more than EndpointSlice changes (those are cheap and wait only briefly). Null
    /// otherwise.
    /// </summary>
    public ClusterSnapshot? TakePreview()
    {
        if (!_previewDue || !IsSynced || _onlyEndpoints)
        {
            return null;
        }

        _previewDue = false;
        return _preview = Store.Snapshot();
    }

    /// <summary>
    /// Takes the batch: the store's snapshot (the preview's own instance when nothing in the store changed after it) and
    /// when its first change arrived.
    /// </summary>
    public (ClusterSnapshot Snapshot, TimeSpan FirstChange) Take()
    {
        HasChanges = false;
        _previewDue = false;
        var snapshot = _preview ?? Store.Snapshot();
        _preview = null;
        return (snapshot, _firstChange);
    }
}
