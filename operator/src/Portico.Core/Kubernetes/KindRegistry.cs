using System.Collections.Frozen;
using System.Collections.Immutable;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;

namespace Portico.Core.Kubernetes;

/// <summary>
/// The kinds Portico reads, one <see cref="KindDefinition"/> each: the store keeps one dictionary per entry, the
/// snapshot exposes them, the watchers list and watch them, manifest reading and local mode accept them, and the
/// deployment's RBAC is checked against them. Adding a kind is one entry here (or, for a test, <see cref="With"/>).
/// </summary>
public sealed class KindRegistry
{
    private readonly FrozenDictionary<Type, int> _byType;
    private readonly FrozenDictionary<string, int> _byKind;
    private readonly FrozenDictionary<(string ApiVersion, string Kind), KindDefinition> _byApiVersionAndKind;

    public KindRegistry(IEnumerable<KindDefinition> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        Kinds = [.. kinds];
        var byType = new Dictionary<Type, int>();
        var byKind = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Kinds.Length; i++)
        {
            var kind = Kinds[i];
            if (!byType.TryAdd(kind.Type, i) || !byKind.TryAdd(kind.Kind, i))
            {
                // Store events name a kind by its name and the store finds a table by type: both must be unique.
                throw new ArgumentException($"{kind} is registered twice (same kind name or type)", nameof(kinds));
            }
        }

        _byType = byType.ToFrozenDictionary();
        _byKind = byKind.ToFrozenDictionary(StringComparer.Ordinal);
        _byApiVersionAndKind = Kinds.ToFrozenDictionary(k => (k.ApiVersion, k.Kind));
        Empty = new ClusterSnapshot(this, [.. Kinds.Select(k => k.EmptyTable)], StoreJournal.Start());
    }

    /// <summary>What Portico reads today: IngressClasses, Ingresses, Services, EndpointSlices, Secrets (the referenced ones kept) and IngressPolicies (optional).</summary>
    public static KindRegistry Default { get; } = new(
    [
        new KindDefinition<V1IngressClass>(KnownKinds.IngressClass, "networking.k8s.io", "v1", "ingressclasses", namespaced: false),
        new KindDefinition<V1Ingress>(KnownKinds.Ingress, "networking.k8s.io", "v1", "ingresses", namespaced: true),
        new KindDefinition<V1Service>(KnownKinds.Service, string.Empty, "v1", "services", namespaced: true),
        new KindDefinition<V1EndpointSlice>(KnownKinds.EndpointSlice, "discovery.k8s.io", "v1", "endpointslices", namespaced: true),

        // Every Secret is watched (basic auth reads Opaque ones), but in a cluster the store keeps only those an
        // Ingress, an IngressPolicy or the default certificate references (Portico/Syncing/SecretKeeper).
        new KindDefinition<V1Secret>(KnownKinds.Secret, string.Empty, "v1", "secrets", namespaced: true),

        // Portico's own CRD: optional, so a cluster without it still serves its Ingresses.
        new KindDefinition<IngressPolicy>(IngressPolicy.KubeKind, IngressPolicy.KubeGroup, IngressPolicy.KubeApiVersion, IngressPolicy.KubePluralName, namespaced: true)
        {
            Requirement = KindRequirement.Optional,
            Api = KindApi.CustomObjects,
        },
    ]);

    /// <summary>In registration order (the order watchers start and local mode lists).</summary>
    public ImmutableArray<KindDefinition> Kinds { get; }

    /// <summary>A snapshot with no objects of any registered kind.</summary>
    public ClusterSnapshot Empty { get; }

    /// <summary>RBAC the watchers need: get, list and watch on every registered kind's resource.</summary>
    public IEnumerable<ApiAccess> ReadAccess => Kinds.Select(k => k.ReadAccess);

    /// <summary>A registry with these kinds added (or, for a kind name already registered, replaced in place).</summary>
    public KindRegistry With(params IEnumerable<KindDefinition> kinds)
    {
        var added = kinds.ToList();
        var replaced = Kinds.Select(k => added.FirstOrDefault(a => a.Kind == k.Kind) ?? k).ToList();
        return new KindRegistry([.. replaced, .. added.Where(a => !_byKind.ContainsKey(a.Kind))]);
    }

    /// <summary>The kind a manifest's apiVersion and kind name, or null when Portico does not read it.</summary>
    public KindDefinition? Find(string? apiVersion, string? kind) =>
        apiVersion is not null && kind is not null && _byApiVersionAndKind.TryGetValue((apiVersion, kind), out var found) ? found : null;

    /// <summary>The kind with this name, or null.</summary>
    public KindDefinition? Find(string kind) => _byKind.TryGetValue(kind, out int i) ? Kinds[i] : null;

    /// <summary>The kind objects of this CLR type belong to, or null.</summary>
    public KindDefinition? Find(Type type) => _byType.TryGetValue(type, out int i) ? Kinds[i] : null;

    /// <summary>True for a kind name Portico reads (under any apiVersion): a wrong version of it deserves a warning.</summary>
    public bool IsKnownKindName(string kind) => _byKind.ContainsKey(kind);

    internal int IndexOf(Type type) => _byType.TryGetValue(type, out int i) ? i : -1;

    internal int IndexOf(string kind) => _byKind.TryGetValue(kind, out int i) ? i : -1;
}
