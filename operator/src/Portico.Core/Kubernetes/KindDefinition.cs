using System.Text.Json;
using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// Everything Portico needs to know about one kind it reads: its CLR type, where its resource lives in the API
/// (group, version, plural resource, namespaced or not), whether it is required, and how it is watched. The store,
/// the snapshot, the watchers, manifest reading, local mode and the RBAC check all iterate a
/// <see cref="KindRegistry"/> of these, so a new kind is one entry. Create one with <see cref="KindDefinition{T}"/>.
/// </summary>
public abstract record KindDefinition
{
    private protected KindDefinition(Type type, string kind, string group, string version, string resource, bool namespaced)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(resource);
        Type = type;
        Kind = kind;
        Group = group;
        Version = version;
        Resource = resource;
        Namespaced = namespaced;
    }

    /// <summary>The KubernetesClient model type (or a CRD's own class) objects of this kind deserialize into.</summary>
    public Type Type { get; }

    /// <summary>The kind's name, e.g. "Ingress": unique in a registry, and the name store events carry.</summary>
    public string Kind { get; }

    /// <summary>The API group; empty for the core group ("v1").</summary>
    public string Group { get; }

    public string Version { get; }

    /// <summary>The plural resource name in URLs and RBAC rules, e.g. "ingresses".</summary>
    public string Resource { get; }

    /// <summary>Namespaced kinds are watched in all namespaces (or the one set by run.namespace); others cluster-wide.</summary>
    public bool Namespaced { get; }

    public KindRequirement Requirement { get; init; } = KindRequirement.Required;

    /// <summary>Typed client calls (built-ins) or the generic custom-objects path (custom resources).</summary>
    public KindApi Api { get; init; } = KindApi.Typed;

    /// <summary>
    /// A field selector every list and watch of this kind carries, so the operator never receives other objects.
    /// Null: all objects (every built-in kind today; Secrets are all watched and only the referenced ones kept).
    /// </summary>
    public string? FieldSelector { get; init; }

    /// <summary>"networking.k8s.io/v1", or "v1" for the core group: the apiVersion manifests carry.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>What watching this kind needs in RBAC: get, list and watch on its resource.</summary>
    public ApiAccess ReadAccess => new(Group, Resource, ["get", "list", "watch"]);

    /// <summary>Reads one object of this kind from UTF-8 JSON with the client library's options (the fast manifest path).</summary>
    public abstract IKubernetesObject<V1ObjectMeta> Deserialize(ReadOnlySpan<byte> utf8Json);

    /// <summary>Reads one object of this kind from a parsed JSON element (list items, custom-object watch events).</summary>
    public abstract IKubernetesObject<V1ObjectMeta> Deserialize(JsonElement json);

    public override string ToString() => $"{Kind} ({ApiVersion} {Resource})";

    // The store keeps one ImmutableDictionary<NamespacedName, T> per kind in an object slot; these typed
    // operations (implemented once, in KindDefinition<T>) are how it reaches them without a switch per kind.
    internal abstract object EmptyTable { get; }

    internal abstract bool Set(ref object table, IKubernetesObject<V1ObjectMeta> value);

    internal abstract bool Remove(ref object table, NamespacedName key);

    internal abstract bool Contains(object table, NamespacedName key);

    internal abstract int Count(object table);

    internal abstract IEnumerable<NamespacedName> Keys(object table);

    internal abstract IEnumerable<IKubernetesObject<V1ObjectMeta>> Values(object table);
}
