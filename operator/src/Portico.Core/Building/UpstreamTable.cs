using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// How a route uses an upstream: enough to make the upstream again (a Service port whose endpoints come from its
/// slices, or an ExternalName), and whether it had ready endpoints when the route was made (a route forwards, or
/// answers 503 naming the upstream). An Ingress's plan keeps these: it stays valid while every one is as empty as it was.
/// </summary>
internal sealed record UpstreamUse(string Name, ObjectRef Service, int Port, V1ServicePort? ServicePort, string? ExternalName, bool Empty);

/// <summary>
/// The upstreams of one build, by name. Made on first use and the same whoever asks first, so the order in which
/// Ingresses are planned does not matter: what reading a Service's slices says (an unsupported address type) is said
/// once, to the build's diagnostics, whichever route needed the upstream.
/// </summary>
internal sealed class UpstreamTable(ClusterSnapshot snapshot, BuildOptions options, DiagnosticBag diagnostics)
{
    private readonly EndpointIndex _endpoints = new(snapshot);
    private readonly Dictionary<string, Upstream> _upstreams = new(StringComparer.Ordinal);

    // Emptiness of upstreams asked about by a plan's check but not (yet) in the model: a plan whose default backend
    // loses to an older one must not add the upstreams of its policy.
    private readonly Dictionary<string, bool> _peeked = new(StringComparer.Ordinal);

    /// <summary>Every upstream made, by name.</summary>
    public EquatableArray<Upstream> All => [.. _upstreams.Values.OrderBy(u => u.Name, StringComparer.Ordinal)];

    /// <summary>The upstream <paramref name="use"/> names, made now if it is the first use in this build.</summary>
    public Upstream Ensure(UpstreamUse use)
    {
        if (!_upstreams.TryGetValue(use.Name, out var upstream))
        {
            _upstreams[use.Name] = upstream = use.ExternalName is { } external
                ? new Upstream(use.Name, use.Service, use.Port, [], external)
                : new Upstream(use.Name, use.Service, use.Port, ReadyEndpointReader.Read(_endpoints.For(Key(use)), use.ServicePort!, options, diagnostics), ExternalName: null);
        }

        return upstream;
    }

    /// <summary>Makes (or finds) the upstream of each of <paramref name="uses"/>.</summary>
    public void EnsureAll(UpstreamUse[] uses)
    {
        foreach (var use in uses)
        {
            Ensure(use);
        }
    }

    /// <summary>Whether every upstream of <paramref name="uses"/> is as empty (or not) in this build as when it was used; none is added to the model.</summary>
    public bool AsEmptyAsWhenUsed(UpstreamUse[] uses)
    {
        foreach (var use in uses)
        {
            if (IsEmpty(use) != use.Empty)
            {
                return false;
            }
        }

        return true;
    }

    private bool IsEmpty(UpstreamUse use)
    {
        if (_upstreams.TryGetValue(use.Name, out var upstream))
        {
            return upstream.Endpoints.IsEmpty;
        }

        if (use.ExternalName is not null)
        {
            return true;
        }

        if (!_peeked.TryGetValue(use.Name, out bool empty))
        {
            _peeked[use.Name] = empty = ReadyEndpointReader.Read(_endpoints.For(Key(use)), use.ServicePort!, options, new DiagnosticBag()).IsEmpty;
        }

        return empty;
    }

    /// <summary>The action that proxies to an upstream made before: forward, or 503 while it has no ready endpoints.</summary>
    public RouteAction ActionFor(string upstreamName)
    {
        var upstream = _upstreams[upstreamName];
        return upstream.Endpoints.IsEmpty
            ? new RespondAction(503, $"Service {upstream.Service.Namespace}/{upstream.Service.Name} port {upstream.Port} has no ready endpoints", upstream.Name)
            : new ForwardAction(upstream.Name);
    }

    private static NamespacedName Key(UpstreamUse use) => new(use.Service.Namespace, use.Service.Name);
}
