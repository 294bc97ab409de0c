using System.Collections.Immutable;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// An immutable view of every object Portico reads, taken from the store at one moment. Readers never mutate
/// the objects (they are KubernetesClient's classes, immutable by convention here).
/// </summary>
public sealed record ClusterSnapshot(
    ImmutableDictionary<NamespacedName, V1Ingress> Ingresses,
    ImmutableDictionary<NamespacedName, V1IngressClass> IngressClasses,
    ImmutableDictionary<NamespacedName, V1Service> Services,
    ImmutableDictionary<NamespacedName, V1EndpointSlice> EndpointSlices,
    ImmutableDictionary<NamespacedName, V1Secret> Secrets)
{
    public static ClusterSnapshot Empty { get; } = new(
        ImmutableDictionary<NamespacedName, V1Ingress>.Empty,
        ImmutableDictionary<NamespacedName, V1IngressClass>.Empty,
        ImmutableDictionary<NamespacedName, V1Service>.Empty,
        ImmutableDictionary<NamespacedName, V1EndpointSlice>.Empty,
        ImmutableDictionary<NamespacedName, V1Secret>.Empty);

    public int ObjectCount => Ingresses.Count + IngressClasses.Count + Services.Count + EndpointSlices.Count + Secrets.Count;
}
