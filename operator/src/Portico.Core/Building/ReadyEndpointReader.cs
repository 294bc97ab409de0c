using Portico.Core.Kubernetes;
using Portico.Core.Model;
using k8s.Models;

namespace Portico.Core.Building;

/// <summary>
/// The ready endpoints of one Service port, from its EndpointSlices: shared by the full build and the endpoint-only
/// rebuild (<see cref="EndpointOnlyRebuild"/>), so both read slices the same way.
/// </summary>
internal static class ReadyEndpointReader
{
    /// <summary>
    /// What a Service's only slice gave for a port name and the loopback option, when reading it said nothing: a build
    /// reads every Service's slices again, and at 10,000 Services parsing their 30,000 addresses was a tenth of a
    /// build and most of its garbage (issue 13). Slices are never modified once in a snapshot (a change is a new
    /// object), so the result holds as long as the slice object lives.
    /// </summary>
    private sealed record SliceRead(string PortName, bool AllowLoopback, EquatableArray<UpstreamEndpoint> Endpoints);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<V1EndpointSlice, SliceRead> Reads = [];

    /// <summary>Ready endpoints of every slice whose port name matches the Service port's name; the first address of each endpoint.</summary>
    public static EquatableArray<UpstreamEndpoint> Read(IReadOnlyList<V1EndpointSlice> slices, V1ServicePort servicePort, BuildOptions options, DiagnosticBag diagnostics)
    {
        string portName = servicePort.Name ?? string.Empty;
        if (slices.Count == 1 && Reads.TryGetValue(slices[0], out var read) && read.PortName == portName && read.AllowLoopback == options.AllowLoopbackEndpoints)
        {
            return read.Endpoints;
        }

        int said = diagnostics.Count;
        var endpoints = ReadAll(slices, servicePort, options, diagnostics);
        if (slices.Count == 1 && diagnostics.Count == said)
        {
            Reads.AddOrUpdate(slices[0], new SliceRead(portName, options.AllowLoopbackEndpoints, endpoints));
        }

        return endpoints;
    }

    private static EquatableArray<UpstreamEndpoint> ReadAll(IReadOnlyList<V1EndpointSlice> slices, V1ServicePort servicePort, BuildOptions options, DiagnosticBag diagnostics)
    {
        var endpoints = new SortedSet<UpstreamEndpoint>();
        foreach (var slice in slices)
        {
            if (slice.AddressType is not ("IPv4" or "IPv6"))
            {
                // FQDN slices (and anything newer) name no address a proxy can dial without DNS: say so, never drop silently.
                diagnostics.Warning(
                    new ObjectRef(KnownKinds.EndpointSlice, slice.Metadata.NamespaceProperty, slice.Metadata.Name),
                    "addressType",
                    $"{Printable.Quote(slice.AddressType)} endpoints are not supported (only IPv4 and IPv6); the slice is ignored");
                continue;
            }

            var slicePort = slice.Ports?.FirstOrDefault(p => (p.Name ?? string.Empty) == (servicePort.Name ?? string.Empty));
            if (slicePort?.Port is not { } portNumber)
            {
                continue;
            }

            var sliceRef = new ObjectRef(KnownKinds.EndpointSlice, slice.Metadata.NamespaceProperty, slice.Metadata.Name);
            if (portNumber is < 1 or > 65535)
            {
                diagnostics.Warning(sliceRef, "ports", $"{portNumber} is not a port number; the slice is ignored");
                continue;
            }

            var list = slice.Endpoints ?? [];
            for (int i = 0; i < list.Count; i++)
            {
                var endpoint = list[i];
                if (endpoint.Conditions?.Ready == false || endpoint.Addresses is not { Count: > 0 })
                {
                    continue;
                }

                if (EndpointAddressPolicy.TryParse(endpoint.Addresses[0], options.AllowLoopbackEndpoints, out var address, out string error))
                {
                    endpoints.Add(new UpstreamEndpoint(address, portNumber));
                }
                else
                {
                    diagnostics.Warning(sliceRef, $"endpoints[{i}].addresses[0]", $"{Printable.Quote(endpoint.Addresses[0])}: {error}; the endpoint is ignored");
                }
            }
        }

        return [.. endpoints];
    }

}
