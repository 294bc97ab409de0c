using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// The one place objects are kept: one immutable dictionary per kind of its <see cref="KindRegistry"/>. It has a
/// single writer (the sync loop, or the manifest loader): not thread-safe by design. <see cref="Snapshot"/> is O(1)
/// in the number of objects and immutable, so readers never see a half-applied change.
/// </summary>
public sealed class ObjectStore
{
    private readonly KindRegistry _kinds;

    // One ImmutableDictionary<NamespacedName, T> per registered kind, in registry order; each kind's
    // KindDefinition<T> reads and replaces its own slot.
    private readonly object[] _tables;

    // Every change appends its key; snapshots keep the head (ClusterSnapshot.ChangedSince).
    private StoreJournal _journal = StoreJournal.Start();

    public ObjectStore()
        : this(KindRegistry.Default)
    {
    }

    public ObjectStore(KindRegistry kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        _kinds = kinds;
        _tables = [.. kinds.Kinds.Select(k => k.EmptyTable)];
    }

    public KindRegistry Kinds => _kinds;

    public static NamespacedName KeyOf(IKubernetesObject<V1ObjectMeta> value) =>
        new(value.Metadata.NamespaceProperty ?? string.Empty, value.Metadata.Name);

    /// <summary>Adds or replaces an object. Returns false when nothing Portico reads has changed (a no-op update).</summary>
    public bool Upsert(IKubernetesObject<V1ObjectMeta> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int i = _kinds.IndexOf(value.GetType());
        if (i < 0)
        {
            throw new ArgumentException($"the store does not keep {value.GetType().Name}", nameof(value));
        }

        return Journal(i, KeyOf(value), _kinds.Kinds[i].Set(ref _tables[i], value));
    }

    /// <summary>Removes an object by kind and key. Returns false when it was not there.</summary>
    public bool Delete(string kind, NamespacedName key)
    {
        int i = IndexOf(kind);
        return Journal(i, key, _kinds.Kinds[i].Remove(ref _tables[i], key));
    }

    public bool Contains(string kind, NamespacedName key)
    {
        int i = _kinds.IndexOf(kind);
        return i >= 0 && _kinds.Kinds[i].Contains(_tables[i], key);
    }

    /// <summary>Applies one event from a source. Returns false when nothing Portico reads changed.</summary>
    public bool Apply(StoreEvent change) => change switch
    {
        ObjectUpserted upserted => Upsert(upserted.Value),
        ObjectDeleted deleted => Delete(deleted.Kind, deleted.Key),
        KindListed listed => Replace(listed.Kind, listed.Values),
        _ => throw new ArgumentException($"unknown store event {change.GetType().Name}", nameof(change)),
    };

    /// <summary>Makes the objects of <paramref name="kind"/> exactly <paramref name="values"/> (a relist): unchanged ones stay, missing ones go.</summary>
    public bool Replace(string kind, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int i = IndexOf(kind);
        var definition = _kinds.Kinds[i];
        bool changed = false;
        var listed = new HashSet<NamespacedName>();
        foreach (var value in values)
        {
            listed.Add(KeyOf(value));
            changed |= Upsert(value);
        }

        foreach (var key in definition.Keys(_tables[i]).Where(k => !listed.Contains(k)).ToList())
        {
            changed |= Journal(i, key, definition.Remove(ref _tables[i], key));
        }

        return changed;
    }

    /// <summary>Objects of <paramref name="kind"/>; O(1), as the sync loop asks after every event for its gauge.</summary>
    public int Count(string kind)
    {
        int i = IndexOf(kind);
        return _kinds.Kinds[i].Count(_tables[i]);
    }

    public ClusterSnapshot Snapshot() => new(_kinds, (object[])_tables.Clone(), _journal);

    private bool Journal(int kind, NamespacedName key, bool changed)
    {
        if (changed)
        {
            _journal = _journal.Add(_kinds.Kinds[kind].Kind, key);
        }

        return changed;
    }

    private int IndexOf(string kind)
    {
        int i = _kinds.IndexOf(kind);
        return i >= 0 ? i : throw new ArgumentException($"the store does not keep {kind}", nameof(kind));
    }
}
