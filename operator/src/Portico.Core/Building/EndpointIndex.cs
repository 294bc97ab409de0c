using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Core.Building;

/// <summary>EndpointSlices grouped by the Service they belong to (label kubernetes.io/service-name), in name order.</summary>
internal sealed class EndpointIndex
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    // A snapshot's slice table is replaced only when a slice changes: builds for other changes (an Ingress edited) share
    // the index of the table they read, instead of sorting 10,000 slices again (issue 13). Never changed once made.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, EndpointIndex> ByTable = [];

    private readonly Dictionary<NamespacedName, List<V1EndpointSlice>> _byService = [];

    /// <summary>The index of <paramref name="snapshot"/>'s slices, shared with other snapshots of the same slices.</summary>
    public static EndpointIndex Of(ClusterSnapshot snapshot) =>
        ByTable.GetValue(snapshot.EndpointSlices, _ => new EndpointIndex(snapshot));

    private EndpointIndex(ClusterSnapshot snapshot)
    {
        foreach (var (key, slice) in snapshot.EndpointSlices.OrderBy(p => p.Key))
        {
            if (SliceOwnership.OwnerOf(key, slice) is { } serviceKey)
            {
                if (!_byService.TryGetValue(serviceKey, out var slices))
                {
                    _byService[serviceKey] = slices = [];
                }

                slices.Add(slice);
            }
        }
    }

    public IReadOnlyList<V1EndpointSlice> For(NamespacedName service) =>
        _byService.TryGetValue(service, out var slices) ? slices : [];
}
