using System.Collections.Immutable;
using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// The one place objects are kept. It has a single writer (the sync loop, or the manifest loader): not thread-safe
/// by design. <see cref="Snapshot"/> is O(1) and immutable, so readers never see a half-applied change.
/// </summary>
public sealed class ObjectStore
{
    private ImmutableDictionary<NamespacedName, V1Ingress> _ingresses = ImmutableDictionary<NamespacedName, V1Ingress>.Empty;
    private ImmutableDictionary<NamespacedName, V1IngressClass> _ingressClasses = ImmutableDictionary<NamespacedName, V1IngressClass>.Empty;
    private ImmutableDictionary<NamespacedName, V1Service> _services = ImmutableDictionary<NamespacedName, V1Service>.Empty;
    private ImmutableDictionary<NamespacedName, V1EndpointSlice> _endpointSlices = ImmutableDictionary<NamespacedName, V1EndpointSlice>.Empty;
    private ImmutableDictionary<NamespacedName, V1Secret> _secrets = ImmutableDictionary<NamespacedName, V1Secret>.Empty;

    public static NamespacedName KeyOf(IKubernetesObject<V1ObjectMeta> value) =>
        new(value.Metadata.NamespaceProperty ?? string.Empty, value.Metadata.Name);

    /// <summary>Adds or replaces an object. Returns false when nothing Portico reads has changed (a no-op update).</summary>
    public bool Upsert(IKubernetesObject<V1ObjectMeta> value) => value switch
    {
        V1Ingress o => Set(ref _ingresses, o),
        V1IngressClass o => Set(ref _ingressClasses, o),
        V1Service o => Set(ref _services, o),
        V1EndpointSlice o => Set(ref _endpointSlices, o),
        V1Secret o => Set(ref _secrets, o),
        _ => throw new ArgumentException($"the store does not keep {value.GetType().Name}", nameof(value)),
    };

    /// <summary>Removes an object by kind and key. Returns false when it was not there.</summary>
    public bool Delete(string kind, NamespacedName key) => kind switch
    {
        KnownKinds.Ingress => Remove(ref _ingresses, key),
        KnownKinds.IngressClass => Remove(ref _ingressClasses, key),
        KnownKinds.Service => Remove(ref _services, key),
        KnownKinds.EndpointSlice => Remove(ref _endpointSlices, key),
        KnownKinds.Secret => Remove(ref _secrets, key),
        _ => throw new ArgumentException($"the store does not keep {kind}", nameof(kind)),
    };

    public bool Contains(string kind, NamespacedName key) => kind switch
    {
        KnownKinds.Ingress => _ingresses.ContainsKey(key),
        KnownKinds.IngressClass => _ingressClasses.ContainsKey(key),
        KnownKinds.Service => _services.ContainsKey(key),
        KnownKinds.EndpointSlice => _endpointSlices.ContainsKey(key),
        KnownKinds.Secret => _secrets.ContainsKey(key),
        _ => false,
    };

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
        bool changed = false;
        var listed = new HashSet<NamespacedName>();
        foreach (var value in values)
        {
            listed.Add(KeyOf(value));
            changed |= Upsert(value);
        }

        foreach (var key in KeysOf(kind).Where(k => !listed.Contains(k)).ToList())
        {
            changed |= Delete(kind, key);
        }

        return changed;
    }

    /// <summary>Objects of <paramref name="kind"/>; O(1), as the sync loop asks after every event for its gauge.</summary>
    public int Count(string kind) => kind switch
    {
        KnownKinds.Ingress => _ingresses.Count,
        KnownKinds.IngressClass => _ingressClasses.Count,
        KnownKinds.Service => _services.Count,
        KnownKinds.EndpointSlice => _endpointSlices.Count,
        KnownKinds.Secret => _secrets.Count,
        _ => throw new ArgumentException($"the store does not keep {kind}", nameof(kind)),
    };

    private IEnumerable<NamespacedName> KeysOf(string kind) => kind switch
    {
        KnownKinds.Ingress => _ingresses.Keys,
        KnownKinds.IngressClass => _ingressClasses.Keys,
        KnownKinds.Service => _services.Keys,
        KnownKinds.EndpointSlice => _endpointSlices.Keys,
        KnownKinds.Secret => _secrets.Keys,
        _ => throw new ArgumentException($"the store does not keep {kind}", nameof(kind)),
    };

    public ClusterSnapshot Snapshot() => new(_ingresses, _ingressClasses, _services, _endpointSlices, _secrets);

    private static bool Set<T>(ref ImmutableDictionary<NamespacedName, T> map, T value)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var key = KeyOf(value);
        if (map.TryGetValue(key, out var existing) && !RelevantChange.Between(existing, value))
        {
            return false;
        }

        map = map.SetItem(key, value);
        return true;
    }

    private static bool Remove<T>(ref ImmutableDictionary<NamespacedName, T> map, NamespacedName key)
    {
        var before = map;
        map = map.Remove(key);
        return !ReferenceEquals(before, map);
    }
}
