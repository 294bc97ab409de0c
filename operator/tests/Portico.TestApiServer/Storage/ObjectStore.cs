using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portico.TestApiServer.Api;
using Portico.TestApiServer.Json;
using Portico.TestApiServer.Resources;
using Portico.TestApiServer.Selectors;

namespace Portico.TestApiServer.Storage;

/// <summary>
/// The in-memory "etcd": every object of every resource, one global monotonically increasing revision (each
/// committed write takes the next one and it becomes that object's resourceVersion), a bounded history of
/// events for watches and consistent paged lists, and the open watches. One lock orders everything, so a watch
/// registered at revision R receives exactly the events after R, in commit order.
/// </summary>
internal sealed class ObjectStore(int historyLimit, Action onChanged)
{
    private readonly Lock gate = new();
    private readonly Dictionary<ResourceDefinition, ImmutableSortedDictionary<string, StoredObject>> objects = [];
    private readonly LinkedList<StoredEvent> history = new();
    private readonly List<WatchSubscription> subscriptions = [];
    private long revision;

    // Events at or below this revision have been discarded: a watch or snapshot from an older revision is 410 Expired.
    private long compactedRevision;
    private int forcedExpiries;

    public long Revision
    {
        get
        {
            lock (gate)
            {
                return revision;
            }
        }
    }

    public long CompactedRevision
    {
        get
        {
            lock (gate)
            {
                return compactedRevision;
            }
        }
    }

    public int WatchCount
    {
        get
        {
            lock (gate)
            {
                return subscriptions.Count;
            }
        }
    }

    public StoredObject? Get(ResourceDefinition resource, string? ns, string name)
    {
        lock (gate)
        {
            return Objects(resource).GetValueOrDefault(resource.KeyOf(ns, name));
        }
    }

    /// <summary>The resource's objects now, in key order (an immutable snapshot).</summary>
    public ImmutableSortedDictionary<string, StoredObject> Snapshot(ResourceDefinition resource)
    {
        lock (gate)
        {
            return Objects(resource);
        }
    }

    /// <summary>
    /// One page of a list: the objects as of <paramref name="atRevision"/> (now when null) matching the filter,
    /// with keys after <paramref name="continueAfter"/>, at most <paramref name="limit"/> of them.
    /// </summary>
    public ListPage List(ResourceDefinition resource, ObjectFilter filter, long? atRevision, string? continueAfter, int? limit)
    {
        lock (gate)
        {
            var listRevision = atRevision ?? revision;
            var state = StateAt(resource, listRevision);
            var matching = state.Values
                .Where(o => continueAfter is null || string.CompareOrdinal(o.Key, continueAfter) > 0)
                .Where(filter.Matches);
            if (limit is not > 0)
            {
                return new ListPage(matching.ToList(), listRevision, null, null);
            }

            var all = matching.ToList();
            if (all.Count <= limit.Value)
            {
                return new ListPage(all, listRevision, null, null);
            }

            var page = all.Take(limit.Value).ToList();

            // The real server reports how many remain only when no selector filters the list.
            long? remaining = filter.HasSelectors ? null : all.Count - page.Count;
            return new ListPage(page, listRevision, page[^1].Key, remaining);
        }
    }

    /// <summary>
    /// The single write path. <paramref name="decide"/> runs under the lock with the current object (null when
    /// absent) and returns the change or throws an <see cref="ApiException"/>. A Put or Delete takes the next
    /// revision, records an event and notifies matching watches. Returns the stored (or deleted) object, or the
    /// current one when nothing changed, and the object before the write. A dry run commits nothing.
    /// </summary>
    public (StoredObject? Result, StoredObject? Previous) Write(
        ResourceDefinition resource, string? ns, string name, Func<StoredObject?, Change> decide, bool dryRun = false)
    {
        lock (gate)
        {
            var key = resource.KeyOf(ns, name);
            var state = Objects(resource);
            var current = state.GetValueOrDefault(key);
            var change = decide(current);
            if (change.Kind == ChangeKind.None)
            {
                return (current, current);
            }

            if (change.Kind == ChangeKind.Delete)
            {
                if (current is null)
                {
                    throw ApiException.NotFound(resource, name);
                }

                if (dryRun)
                {
                    return (current, current);
                }

                var deletedAt = ++revision;
                var deleted = current with { ResourceVersion = deletedAt, Json = JsonObjects.WithResourceVersion(current.Json, deletedAt) };
                objects[resource] = state.Remove(key);
                Publish(new StoredEvent(deletedAt, resource, WatchItem.Deleted, deleted, current, state));
                return (deleted, current);
            }

            if (dryRun)
            {
                return (ToStored(resource, ns, name, current?.ResourceVersion ?? 0, change.Object), current);
            }

            var at = ++revision;
            var stored = ToStored(resource, ns, name, at, JsonObjects.WithResourceVersion(change.Object, at));
            objects[resource] = state.SetItem(key, stored);
            Publish(new StoredEvent(at, resource, current is null ? WatchItem.Added : WatchItem.Modified, stored, current, state));
            return (stored, current);
        }
    }

    /// <summary>
    /// Opens a watch. From a revision: the retained events after it, then live ones; 410 Expired (as an ERROR
    /// event, then the end of the stream) when that revision has been compacted away. Without one: ADDED for every
    /// current object first, as the real server does for resourceVersion "0" or unset.
    /// </summary>
    public WatchSubscription Watch(ResourceDefinition resource, ObjectFilter filter, long? fromRevision, bool allowBookmarks, bool sendInitialEvents)
    {
        lock (gate)
        {
            var subscription = new WatchSubscription(resource, filter, allowBookmarks);
            if (forcedExpiries > 0 || fromRevision < compactedRevision)
            {
                forcedExpiries = Math.Max(0, forcedExpiries - 1);
                var oldest = compactedRevision + 1;
                var status = ApiException.Expired($"too old resource version: {fromRevision ?? 0} ({Math.Max(oldest, (fromRevision ?? 0) + 1)})").ToStatus();
                subscription.Post(new WatchItem(WatchItem.Error, JsonObjects.Freeze(status)));
                subscription.Complete();
                return subscription;
            }

            if (fromRevision is long from)
            {
                foreach (var e in history.Where(e => e.Resource == resource && e.Revision > from))
                {
                    if (Translate(e, filter) is { } item)
                    {
                        subscription.Post(item);
                    }
                }
            }
            else
            {
                foreach (var obj in Objects(resource).Values.Where(filter.Matches))
                {
                    subscription.Post(new WatchItem(WatchItem.Added, obj.Json));
                }

                if (sendInitialEvents && allowBookmarks)
                {
                    subscription.Post(Bookmark(resource, revision, initialEventsEnd: true));
                }
            }

            subscriptions.Add(subscription);
            onChanged();
            return subscription;
        }
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (gate)
        {
            if (subscriptions.Remove(subscription))
            {
                onChanged();
            }
        }
    }

    /// <summary>Posts a BOOKMARK at the current revision to every watch that asked for bookmarks.</summary>
    public int EmitBookmarks()
    {
        lock (gate)
        {
            var count = 0;
            foreach (var subscription in subscriptions.Where(s => s.AllowBookmarks))
            {
                // Posted under the lock after every earlier event: all events up to this revision are ahead of it.
                subscription.Post(Bookmark(subscription.Resource, revision, initialEventsEnd: false));
                count++;
            }

            return count;
        }
    }

    /// <summary>Ends every open watch, by aborting the connection or by ending the stream cleanly.</summary>
    public int DropWatches(bool abort)
    {
        lock (gate)
        {
            var count = subscriptions.Count;
            foreach (var subscription in subscriptions)
            {
                subscription.Drop(abort);
            }

            subscriptions.Clear();
            onChanged();
            return count;
        }
    }

    /// <summary>The next <paramref name="count"/> watches get 410 Expired whatever resourceVersion they ask for.</summary>
    public void ExpireNextWatches(int count)
    {
        lock (gate)
        {
            forcedExpiries += count;
        }
    }

    /// <summary>Discards the whole event history, as etcd compaction does: older resourceVersions become 410.</summary>
    public void Compact()
    {
        lock (gate)
        {
            history.Clear();
            compactedRevision = revision;
        }
    }

    public void ClearFaults()
    {
        lock (gate)
        {
            forcedExpiries = 0;
        }
    }

    private ImmutableSortedDictionary<string, StoredObject> Objects(ResourceDefinition resource) =>
        objects.GetValueOrDefault(resource) ?? ImmutableSortedDictionary.Create<string, StoredObject>(StringComparer.Ordinal);

    /// <summary>The resource's objects as they were at <paramref name="at"/>: just before its first later event.</summary>
    private ImmutableSortedDictionary<string, StoredObject> StateAt(ResourceDefinition resource, long at)
    {
        if (at >= revision)
        {
            return Objects(resource);
        }

        if (at < compactedRevision)
        {
            throw ApiException.Expired(
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
        }

        return history.FirstOrDefault(e => e.Resource == resource && e.Revision > at)?.Before ?? Objects(resource);
    }

    private void Publish(StoredEvent e)
    {
        history.AddLast(e);
        while (history.Count > historyLimit)
        {
            compactedRevision = history.First!.Value.Revision;
            history.RemoveFirst();
        }

        foreach (var subscription in subscriptions.Where(s => s.Resource == e.Resource))
        {
            if (Translate(e, subscription.Filter) is { } item)
            {
                subscription.Post(item);
            }
        }

        onChanged();
    }

    /// <summary>
    /// An event as one watch sees it through its filter, as the real watch cache does: an object that starts to
    /// match is ADDED, one that stops matching is DELETED (its last matching state, at the event's revision).
    /// </summary>
    private static WatchItem? Translate(StoredEvent e, ObjectFilter filter)
    {
        var previousMatched = e.Previous is not null && filter.Matches(e.Previous);
        if (e.Type == WatchItem.Deleted)
        {
            return previousMatched ? new WatchItem(WatchItem.Deleted, e.Object.Json) : null;
        }

        var currentMatches = filter.Matches(e.Object);
        return (previousMatched, currentMatches) switch
        {
            (true, true) => new WatchItem(WatchItem.Modified, e.Object.Json),
            (false, true) => new WatchItem(WatchItem.Added, e.Object.Json),
            (true, false) => new WatchItem(WatchItem.Deleted, JsonObjects.WithResourceVersion(e.Previous!.Json, e.Revision)),
            _ => null,
        };
    }

    private static WatchItem Bookmark(ResourceDefinition resource, long at, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = at.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        var bookmark = new JsonObject { ["kind"] = resource.Kind, ["apiVersion"] = resource.ApiVersion, ["metadata"] = metadata };
        return new WatchItem(WatchItem.Bookmark, JsonObjects.Freeze(bookmark));
    }

    private static StoredObject ToStored(ResourceDefinition resource, string? ns, string name, long at, JsonElement json) =>
        new(resource.KeyOf(ns, name), resource.Namespaced ? ns : null, name, at, json);
}
