using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portico.TestApiServer.Resources;

/// <summary>
/// One served resource: where it lives in the URL space, its kind, and the per-kind rules the real API server
/// applies to it (status subresource, generation, what DELETE returns, which field selectors it accepts).
/// </summary>
internal sealed record ResourceDefinition
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    /// <summary>The URL segment, e.g. "ingresses".</summary>
    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required string Kind { get; init; }

    public required bool Namespaced { get; init; }

    /// <summary>The KubernetesClient model type; every stored object went through it once (see <see cref="Normalize"/>).</summary>
    public required Type ModelType { get; init; }

    /// <summary>Deserializes into <see cref="ModelType"/> and serializes back, so the stored JSON is exactly the client's.</summary>
    public required Func<JsonNode, JsonElement> Normalize { get; init; }

    /// <summary>Reads stored JSON into a new <see cref="ModelType"/> instance (for the test-side API).</summary>
    public required Func<JsonElement, object> ToModel { get; init; }

    /// <summary>
    /// With a status subresource, writes to the main resource keep the stored status and writes to /status keep
    /// everything but the status, as the real server's strategies do (Ingress, Service, Namespace).
    /// </summary>
    public bool HasStatusSubresource { get; init; }

    /// <summary>Kinds with a spec get metadata.generation = 1 on create and + 1 on each spec change.</summary>
    public bool HasSpec { get; init; }

    /// <summary>Services (ReturnDeletedObject in the real registry) answer DELETE with the object, others with a Status.</summary>
    public bool ReturnsObjectOnDelete { get; init; }

    /// <summary>PUT of a missing object creates it (Events do; most kinds answer 404).</summary>
    public bool AllowCreateOnUpdate { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Field-selector labels beyond metadata.name and metadata.namespace, mapped to their JSON path.</summary>
    public IReadOnlyDictionary<string, string[]> FieldLabels { get; init; } = new Dictionary<string, string[]>();

    /// <summary>Defaults the real server fills in on create (mutates the body before it is normalized).</summary>
    public Action<JsonObject>? ApplyDefaults { get; init; }

    /// <summary>Built-in validation: (field, message) for each problem; any makes the write a 422 Invalid.</summary>
    public Func<JsonObject, IEnumerable<FieldProblem>>? Validate { get; init; }

    /// <summary>Names are DNS-1035 labels (Services) or DNS-1123 labels (Namespaces) instead of DNS-1123 subdomains.</summary>
    public NameRule NameRule { get; init; } = NameRule.Subdomain;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>"ingresses.networking.k8s.io" or "services": how the real server names the resource in messages.</summary>
    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>"Ingress.networking.k8s.io" or "Service": how the real server names the kind in Invalid messages.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    /// <summary>The key an object is stored and listed under: "namespace/name", or "name" when cluster-scoped.</summary>
    public string KeyOf(string? ns, string name) => Namespaced ? $"{ns}/{name}" : name;

    /// <summary>Each definition is a singleton: identity is equality (and hashing stays cheap as a dictionary key).</summary>
    public bool Equals(ResourceDefinition? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public override string ToString() => $"{ApiVersion} {Plural}";
}
