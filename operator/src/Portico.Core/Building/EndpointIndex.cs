using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Core.Building;

/// <summary>EndpointSlices grouped by the Service they belong to (label kubernetes.io/service-name), in name order.</summary>
internal sealed class EndpointIndex
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    private readonly Dictionary<NamespacedName, List<V1EndpointSlice>> _byService = [];

    // Made per build, not kept with the slice table: at 10,000 Services the index holds ~1.2 MB, which the operator's
    // memory target (issue 13) has no room for, against ~5 ms of a build.
    public EndpointIndex(ClusterSnapshot snapshot)
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
