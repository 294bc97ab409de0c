using k8s.Models;

namespace Portico.Core.Building;

/// <summary>
/// The order in which Ingresses claim hosts, paths, TLS and the default backend: oldest creationTimestamp first
/// (an Ingress without one, as in offline manifests, counts as newest), then namespace, then name.
/// </summary>
internal sealed class IngressPrecedence : IComparer<V1Ingress>
{
    public static IngressPrecedence Instance { get; } = new();

    public int Compare(V1Ingress? x, V1Ingress? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? 1 : -1;
        }

        var byAge = (x.Metadata.CreationTimestamp ?? DateTime.MaxValue).CompareTo(y.Metadata.CreationTimestamp ?? DateTime.MaxValue);
        if (byAge != 0)
        {
            return byAge;
        }

        int byNamespace = string.CompareOrdinal(x.Metadata.NamespaceProperty, y.Metadata.NamespaceProperty);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(x.Metadata.Name, y.Metadata.Name);
    }
}
