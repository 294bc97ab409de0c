using System.Text.Json;
using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>The Kubernetes kinds Portico reads, by apiVersion and kind, and how to deserialize each.</summary>
public static class KnownKinds
{
    public const string Ingress = "Ingress";
    public const string IngressClass = "IngressClass";
    public const string Service = "Service";
    public const string EndpointSlice = "EndpointSlice";
    public const string Secret = "Secret";

    private static readonly Dictionary<(string ApiVersion, string Kind), Type> Types = new()
    {
        [("networking.k8s.io/v1", Ingress)] = typeof(V1Ingress),
        [("networking.k8s.io/v1", IngressClass)] = typeof(V1IngressClass),
        [("v1", Service)] = typeof(V1Service),
        [("v1", Secret)] = typeof(V1Secret),
        [("discovery.k8s.io/v1", EndpointSlice)] = typeof(V1EndpointSlice),
    };

    /// <summary>The model type for a supported apiVersion and kind, or null for anything Portico does not use.</summary>
    public static Type? TypeOf(string? apiVersion, string? kind) =>
        apiVersion is not null && kind is not null && Types.TryGetValue((apiVersion, kind), out var type) ? type : null;

    /// <summary>True for a kind Portico uses (under any apiVersion): a wrong version of it deserves a warning.</summary>
    public static bool IsKnownKindName(string kind) => Types.Keys.Any(k => k.Kind == kind);

    public static bool IsNamespaced(Type type) => type != typeof(V1IngressClass);

    /// <summary>The client library's own serializer options (its converters and source-generated metadata).</summary>
    private static readonly JsonSerializerOptions Options = CaptureOptions();

    /// <summary>As <see cref="KubernetesJson"/> would, with the same options, straight from UTF-8 bytes (no stream).</summary>
    public static IKubernetesObject<V1ObjectMeta> Deserialize(ReadOnlySpan<byte> json, Type type) => type.Name switch
    {
        nameof(V1Ingress) => JsonSerializer.Deserialize<V1Ingress>(json, Options)!,
        nameof(V1IngressClass) => JsonSerializer.Deserialize<V1IngressClass>(json, Options)!,
        nameof(V1Service) => JsonSerializer.Deserialize<V1Service>(json, Options)!,
        nameof(V1Secret) => JsonSerializer.Deserialize<V1Secret>(json, Options)!,
        nameof(V1EndpointSlice) => JsonSerializer.Deserialize<V1EndpointSlice>(json, Options)!,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a kind Portico reads"),
    };

    private static JsonSerializerOptions CaptureOptions()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options!;
    }

    public static IKubernetesObject<V1ObjectMeta> Deserialize(JsonElement json, Type type) => type.Name switch
    {
        nameof(V1Ingress) => KubernetesJson.Deserialize<V1Ingress>(json),
        nameof(V1IngressClass) => KubernetesJson.Deserialize<V1IngressClass>(json),
        nameof(V1Service) => KubernetesJson.Deserialize<V1Service>(json),
        nameof(V1Secret) => KubernetesJson.Deserialize<V1Secret>(json),
        nameof(V1EndpointSlice) => KubernetesJson.Deserialize<V1EndpointSlice>(json),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a kind Portico reads"),
    };
}
