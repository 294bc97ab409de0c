using System.Collections.Immutable;
using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// An immutable view of every object Portico reads, taken from the store at one moment: one dictionary per kind of
/// the store's <see cref="KindRegistry"/>. The built-in kinds have typed properties (what the builder reads); any
/// registered kind is reached with <see cref="Of{T}"/>. Readers never mutate the objects (they are
/// KubernetesClient's classes, immutable by convention here).
/// </summary>
public sealed class ClusterSnapshot
{
    private readonly object[] _tables;
    private readonly StoreJournal _journal;

    internal ClusterSnapshot(KindRegistry kinds, object[] tables, StoreJournal journal)
    {
        Kinds = kinds;
        _tables = tables;
        _journal = journal;
        Ingresses = OfOrEmpty<V1Ingress>();
        IngressClasses = OfOrEmpty<V1IngressClass>();
        Services = OfOrEmpty<V1Service>();
        EndpointSlices = OfOrEmpty<V1EndpointSlice>();
        Secrets = OfOrEmpty<V1Secret>();
    }

    /// <summary>No objects, with the default kinds.</summary>
    public static ClusterSnapshot Empty => KindRegistry.Default.Empty;

    public KindRegistry Kinds { get; }

    public ImmutableDictionary<NamespacedName, V1Ingress> Ingresses { get; }

    public ImmutableDictionary<NamespacedName, V1IngressClass> IngressClasses { get; }

    public ImmutableDictionary<NamespacedName, V1Service> Services { get; }

    public ImmutableDictionary<NamespacedName, V1EndpointSlice> EndpointSlices { get; }

    public ImmutableDictionary<NamespacedName, V1Secret> Secrets { get; }

    public int ObjectCount
    {
        get
        {
            int count = 0;
            for (int i = 0; i < _tables.Length; i++)
            {
                count += Kinds.Kinds[i].Count(_tables[i]);
            }

            return count;
        }
    }

    /// <summary>A snapshot of exactly these objects (tests, tools); an object defined twice is the later one.</summary>
    public static ClusterSnapshot From(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects, KindRegistry? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var store = new ObjectStore(kinds ?? KindRegistry.Default);
        foreach (var value in objects)
        {
            store.Upsert(value);
        }

        return store.Snapshot();
    }

    /// <summary>The objects of registered kind <typeparamref name="T"/>; throws for a type the registry does not have.</summary>
    public ImmutableDictionary<NamespacedName, T> Of<T>()
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        int i = Kinds.IndexOf(typeof(T));
        return i >= 0
            ? (ImmutableDictionary<NamespacedName, T>)_tables[i]
            : throw new ArgumentException($"{typeof(T).Name} is not a registered kind", nameof(T));
    }

    /// <summary>The objects of the kind named <paramref name="kind"/>, untyped (for code that iterates the registry).</summary>
    public IEnumerable<IKubernetesObject<V1ObjectMeta>> ObjectsOf(string kind)
    {
        int i = Kinds.IndexOf(kind);
        return i >= 0 ? Kinds.Kinds[i].Values(_tables[i]) : throw new ArgumentException($"{kind} is not a registered kind", nameof(kind));
    }

    /// <summary>
    /// True when every kind's objects except <paramref name="kind"/>'s are the very same as in <paramref name="previous"/>
    /// (the store replaces a kind's table only when an object of it changed, so this is O(kinds)).
    /// </summary>
    public bool DiffersAtMostIn(ClusterSnapshot previous, string kind)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (!ReferenceEquals(Kinds, previous.Kinds))
        {
            return false;
        }

        int except = Kinds.IndexOf(kind);
        for (int i = 0; i < _tables.Length; i++)
        {
            if (i != except && !ReferenceEquals(_tables[i], previous._tables[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A snapshot with <paramref name="value"/> added or replaced (tests build small worlds this way).</summary>
    public ClusterSnapshot With(IKubernetesObject<V1ObjectMeta> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int i = Kinds.IndexOf(value.GetType());
        if (i < 0)
        {
            throw new ArgumentException($"{value.GetType().Name} is not a registered kind", nameof(value));
        }

        var tables = (object[])_tables.Clone();
        Kinds.Kinds[i].Set(ref tables[i], value);
        // A new chain: no other snapshot is found from it, so ChangedSince answers "unknown" rather than a wrong list.
        return new ClusterSnapshot(Kinds, tables, StoreJournal.Start());
    }

    /// <summary>
    /// The keys of <paramref name="kind"/> whose objects changed (added, replaced, removed) between
    /// <paramref name="previous"/> and this snapshot, both taken from one store, in O(changes); null when that cannot be
    /// told this way (another store, or too long ago): compare the tables instead. A key may be listed whose object
    /// ended up as it was.
    /// </summary>
    public IReadOnlySet<NamespacedName>? ChangedSince(ClusterSnapshot previous, string kind)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return ReferenceEquals(Kinds, previous.Kinds) ? _journal.KeysSince(previous._journal, kind) : null;
    }

    private ImmutableDictionary<NamespacedName, T> OfOrEmpty<T>()
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        int i = Kinds.IndexOf(typeof(T));
        return i >= 0 ? (ImmutableDictionary<NamespacedName, T>)_tables[i] : ImmutableDictionary<NamespacedName, T>.Empty;
    }
}
