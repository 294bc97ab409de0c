using System.Text.Json;
using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// Names of the built-in kinds (constants, so they can be matched in switch patterns) and look-ups answered by
/// <see cref="KindRegistry.Default"/>, which holds everything else about them.
/// </summary>
public static class KnownKinds
{
    public const string Ingress = "Ingress";
    public const string IngressClass = "IngressClass";
    public const string Service = "Service";
    public const string EndpointSlice = "EndpointSlice";
    public const string Secret = "Secret";

    /// <summary>The model type for a supported apiVersion and kind, or null for anything Portico does not use.</summary>
    public static Type? TypeOf(string? apiVersion, string? kind) => KindRegistry.Default.Find(apiVersion, kind)?.Type;

    /// <summary>True for a kind Portico uses (under any apiVersion): a wrong version of it deserves a warning.</summary>
    public static bool IsKnownKindName(string kind) => KindRegistry.Default.IsKnownKindName(kind);

    public static bool IsNamespaced(Type type) => Definition(type).Namespaced;

    /// <summary>As <see cref="KubernetesJson"/> would, with the same options, straight from UTF-8 bytes (no stream).</summary>
    public static IKubernetesObject<V1ObjectMeta> Deserialize(ReadOnlySpan<byte> json, Type type) => Definition(type).Deserialize(json);

    public static IKubernetesObject<V1ObjectMeta> Deserialize(JsonElement json, Type type) => Definition(type).Deserialize(json);

    private static KindDefinition Definition(Type type) =>
        KindRegistry.Default.Find(type) ?? throw new ArgumentOutOfRangeException(nameof(type), type, "not a kind Portico reads");
}
