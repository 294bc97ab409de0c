using System.Collections.Immutable;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>A kind read into <typeparamref name="T"/>: the typed half of <see cref="KindDefinition"/>.</summary>
public sealed record KindDefinition<T> : KindDefinition
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly ImmutableDictionary<NamespacedName, T> Empty = ImmutableDictionary<NamespacedName, T>.Empty;

    public KindDefinition(string kind, string group, string version, string resource, bool namespaced)
        : base(typeof(T), kind, group, version, resource, namespaced)
    {
    }

    public override IKubernetesObject<V1ObjectMeta> Deserialize(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize<T>(utf8Json, KubernetesJsonOptions.Value) ?? throw new JsonException($"null is not a {Kind}");

    public override IKubernetesObject<V1ObjectMeta> Deserialize(JsonElement json) =>
        json.Deserialize<T>(KubernetesJsonOptions.Value) ?? throw new JsonException($"null is not a {Kind}");

    internal override object EmptyTable => Empty;

    internal override bool Set(ref object table, IKubernetesObject<V1ObjectMeta> value)
    {
        var map = (ImmutableDictionary<NamespacedName, T>)table;
        var typed = (T)value;
        StoredObject.Trim(typed);
        var key = ObjectStore.KeyOf(typed);
        if (map.TryGetValue(key, out var existing) && !RelevantChange.Between(existing, typed))
        {
            return false;
        }

        table = map.SetItem(key, typed);
        return true;
    }

    internal override bool Remove(ref object table, NamespacedName key)
    {
        var map = (ImmutableDictionary<NamespacedName, T>)table;
        var after = map.Remove(key);
        table = after;
        return !ReferenceEquals(map, after);
    }

    internal override bool Contains(object table, NamespacedName key) => ((ImmutableDictionary<NamespacedName, T>)table).ContainsKey(key);

    internal override int Count(object table) => ((ImmutableDictionary<NamespacedName, T>)table).Count;

    internal override IEnumerable<NamespacedName> Keys(object table) => ((ImmutableDictionary<NamespacedName, T>)table).Keys;

    internal override IEnumerable<IKubernetesObject<V1ObjectMeta>> Values(object table) => ((ImmutableDictionary<NamespacedName, T>)table).Values;
}
