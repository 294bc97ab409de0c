using System.Collections.Immutable;
using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// The model of a snapshot that differs from the previous one only in EndpointSlices, derived from the previous model
/// without a full build: the upstreams of the Services whose slices changed get their ready endpoints again, and
/// nothing else moves. It declines (null, and the caller builds in full) whenever the change could reach anything but
/// endpoint lists: another kind changed, an upstream gains its first or loses its last endpoint (routes switch
/// to or from 503), a slice involved has or would get a diagnostic, or a Service port is ambiguous. Whenever it
/// answers, the answer equals <see cref="ModelBuilder.Build"/> on the new snapshot (EndpointOnlyRebuildTests checks
/// this over random change sequences).
/// </summary>
public static class EndpointOnlyRebuild
{
    /// <summary>
    /// The new model, the names of the upstreams whose endpoints changed and the slices' ownership in
    /// <paramref name="next"/>, or null when a full build is needed. <paramref name="previousSlices"/> is the ownership
    /// a previous answer gave for <paramref name="previous"/> (null: made here). When the snapshots come from one store,
    /// the changed slices are read from its journal, so the cost follows the change, not the number of slices.
    /// </summary>
    public static EndpointChange? TryRebuild(ProxyModel previousModel, ClusterSnapshot previous, ClusterSnapshot next, BuildOptions options, SliceOwnership? previousSlices = null)
    {
        ArgumentNullException.ThrowIfNull(previousModel);
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(options);
        if (!next.DiffersAtMostIn(previous, KnownKinds.EndpointSlice))
        {
            return null;
        }

        // The store's journal names the changed slices; without it (snapshots it cannot relate) the tables are compared.
        var changedSlices = next.ChangedSince(previous, KnownKinds.EndpointSlice) ?? ChangedKeys(previous.EndpointSlices, next.EndpointSlices);
        var services = ServicesOf(changedSlices, previous, next);
        var ownership = previousSlices?.With(changedSlices, previous, next) ?? SliceOwnership.Of(next);
        if (services.Count == 0)
        {
            return new EndpointChange(previousModel, [], ownership);
        }

        if (HasSliceDiagnostics(previousModel, services, previous, next))
        {
            return null;
        }

        var slices = services.ToDictionary(s => s, s => ownership.SlicesOf(s).Select(k => next.EndpointSlices[k]).ToList());
        var diagnostics = new DiagnosticBag();
        var changed = ImmutableArray.CreateBuilder<string>();
        var upstreams = new Upstream[previousModel.Upstreams.Length];
        for (int i = 0; i < upstreams.Length; i++)
        {
            var upstream = previousModel.Upstreams[i];
            var key = new NamespacedName(upstream.Service.Namespace, upstream.Service.Name);
            if (upstream.ExternalName is not null || !services.Contains(key))
            {
                upstreams[i] = upstream;
                continue;
            }

            var ports = next.Services.TryGetValue(key, out var service) ? service.Spec?.Ports?.Where(p => p.Port == upstream.Port).ToList() : null;
            if (ports is not { Count: 1 })
            {
                return null;
            }

            var endpoints = ReadyEndpointReader.Read(slices.GetValueOrDefault(key) ?? [], ports[0], options, diagnostics);
            if (endpoints.IsEmpty != upstream.Endpoints.IsEmpty)
            {
                return null;
            }

            upstreams[i] = endpoints == upstream.Endpoints ? upstream : upstream with { Endpoints = endpoints };
            if (!ReferenceEquals(upstreams[i], upstream))
            {
                changed.Add(upstream.Name);
            }
        }

        if (!diagnostics.ToSortedArray().IsEmpty)
        {
            return null;
        }

        return new EndpointChange(previousModel with { Upstreams = [.. upstreams] }, changed.ToImmutable(), ownership);
    }

    /// <summary>The Services (by the slice label) of the slices with these keys, before and after.</summary>
    private static HashSet<NamespacedName> ServicesOf(IReadOnlySet<NamespacedName> keys, ClusterSnapshot before, ClusterSnapshot after)
    {
        var services = new HashSet<NamespacedName>();
        foreach (var key in keys)
        {
            var old = before.EndpointSlices.GetValueOrDefault(key);
            var current = after.EndpointSlices.GetValueOrDefault(key);
            if (!ReferenceEquals(old, current))
            {
                AddOwner(services, key, current);
                AddOwner(services, key, old);
            }
        }

        return services;
    }

    /// <summary>The keys of every slice added, removed or replaced between the two tables.</summary>
    private static HashSet<NamespacedName> ChangedKeys(
        ImmutableDictionary<NamespacedName, V1EndpointSlice> before,
        ImmutableDictionary<NamespacedName, V1EndpointSlice> after)
    {
        var keys = new HashSet<NamespacedName>();
        if (ReferenceEquals(before, after))
        {
            return keys;
        }

        int kept = 0;
        foreach (var (key, slice) in after)
        {
            if (before.TryGetValue(key, out var old))
            {
                kept++;
            }

            if (!ReferenceEquals(old, slice))
            {
                keys.Add(key);
            }
        }

        // Every slice of before is still there (keys are unique): no deletion to look for, and no second pass over 10,000.
        if (kept == before.Count)
        {
            return keys;
        }

        foreach (var key in before.Keys)
        {
            if (!after.ContainsKey(key))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private static void AddOwner(HashSet<NamespacedName> services, NamespacedName key, V1EndpointSlice? slice)
    {
        if (SliceOwnership.OwnerOf(key, slice) is { } service)
        {
            services.Add(service);
        }
    }

    /// <summary>Whether the previous model reports on a slice of one of <paramref name="services"/> (before or after): the full build decides those.</summary>
    private static bool HasSliceDiagnostics(ProxyModel model, HashSet<NamespacedName> services, ClusterSnapshot previous, ClusterSnapshot next)
    {
        foreach (var diagnostic in model.Diagnostics)
        {
            if (diagnostic.Target.Kind != KnownKinds.EndpointSlice)
            {
                continue;
            }

            var key = new NamespacedName(diagnostic.Target.Namespace, diagnostic.Target.Name);
            foreach (var snapshot in new[] { previous, next })
            {
                if (snapshot.EndpointSlices.TryGetValue(key, out var slice)
                    && slice.Metadata.Labels?.TryGetValue(EndpointIndex.ServiceNameLabel, out string? name) == true
                    && name is not null && services.Contains(new NamespacedName(key.Namespace, name)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>An endpoint-only rebuild: the new model, the upstreams whose endpoints changed, the slices' ownership in the new snapshot.</summary>
public sealed record EndpointChange(ProxyModel Model, ImmutableArray<string> ChangedUpstreams, SliceOwnership Slices);
