using System.Collections.Immutable;
using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Core.Building;

/// <summary>
/// The keys of the EndpointSlices of each Service (label kubernetes.io/service-name) in one snapshot, in name order, as
/// <see cref="EndpointIndex"/> groups them. Made once by a pass over all slices, then carried from snapshot to snapshot
/// through the keys that changed (<see cref="ClusterSnapshot.ChangedSince"/>), so an endpoint change at 10,000
/// Services costs its own slices, not a pass over all of them (<see cref="EndpointOnlyRebuild"/>).
/// </summary>
public sealed class SliceOwnership
{
    private readonly ImmutableDictionary<NamespacedName, ImmutableArray<NamespacedName>> _byService;

    private SliceOwnership(ImmutableDictionary<NamespacedName, ImmutableArray<NamespacedName>> byService) => _byService = byService;

    /// <summary>The ownership of every slice of <paramref name="snapshot"/>: one pass.</summary>
    public static SliceOwnership Of(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var byService = new Dictionary<NamespacedName, List<NamespacedName>>();
        foreach (var (key, slice) in snapshot.EndpointSlices)
        {
            if (OwnerOf(key, slice) is { } service)
            {
                if (!byService.TryGetValue(service, out var keys))
                {
                    byService[service] = keys = [];
                }

                keys.Add(key);
            }
        }

        return new SliceOwnership(byService.ToImmutableDictionary(p => p.Key, p => p.Value.Order().ToImmutableArray()));
    }

    /// <summary>The Service a slice belongs to, by its label; null without one.</summary>
    public static NamespacedName? OwnerOf(NamespacedName key, V1EndpointSlice? slice) =>
        slice?.Metadata.Labels?.TryGetValue(EndpointIndex.ServiceNameLabel, out string? service) == true && service is not null
            ? new NamespacedName(key.Namespace, service)
            : null;

    /// <summary>The keys of <paramref name="service"/>'s slices, in name order.</summary>
    public ImmutableArray<NamespacedName> SlicesOf(NamespacedName service) => _byService.GetValueOrDefault(service, []);

    /// <summary>
    /// This ownership (of <paramref name="before"/>) carried to <paramref name="after"/>, given every slice key that
    /// changed between them: each moves from its old owner to its new one, if any.
    /// </summary>
    public SliceOwnership With(IEnumerable<NamespacedName> changed, ClusterSnapshot before, ClusterSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var byService = _byService.ToBuilder();
        foreach (var key in changed)
        {
            var from = OwnerOf(key, before.EndpointSlices.GetValueOrDefault(key));
            var to = OwnerOf(key, after.EndpointSlices.GetValueOrDefault(key));
            if (from == to)
            {
                continue;
            }

            if (from is { } old && byService.TryGetValue(old, out var keys))
            {
                var rest = keys.Remove(key);
                if (rest.IsEmpty)
                {
                    byService.Remove(old);
                }
                else
                {
                    byService[old] = rest;
                }
            }

            if (to is { } owner)
            {
                var owned = byService.GetValueOrDefault(owner, []);
                int at = owned.BinarySearch(key);
                byService[owner] = at >= 0 ? owned : owned.Insert(~at, key);
            }
        }

        return new SliceOwnership(byService.ToImmutable());
    }

    /// <summary>This ownership (of <paramref name="before"/>) carried to <paramref name="after"/> through the store's journal; null when the journal cannot tell what changed.</summary>
    public SliceOwnership? CarriedTo(ClusterSnapshot before, ClusterSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(after);
        return after.ChangedSince(before, KnownKinds.EndpointSlice) is { } changed ? With(changed, before, after) : null;
    }

    /// <summary>Equal ownership (tests compare a carried one with one made from scratch).</summary>
    public bool SameAs(SliceOwnership other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _byService.Count == other._byService.Count
            && _byService.All(p => other._byService.TryGetValue(p.Key, out var keys) && keys.SequenceEqual(p.Value));
    }
}
