using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// Routes by host and path match. The first claim of a host+path+type wins: the builder visits Ingresses oldest
/// first, so "first" is "oldest", and a later claim is refused with the winner's name.
/// </summary>
internal sealed class RouteTable
{
    private readonly Dictionary<HostPattern, Dictionary<PathMatch, Route>> _hosts = [];

    public IEnumerable<HostPattern> Hosts => _hosts.Keys;

    /// <summary>Adds the route, or returns the route that already holds the same host and match.</summary>
    public Route? TryAdd(HostPattern host, Route route)
    {
        if (!_hosts.TryGetValue(host, out var routes))
        {
            _hosts[host] = routes = [];
        }

        if (routes.TryGetValue(route.Match, out var holder))
        {
            return holder;
        }

        routes[route.Match] = route;
        return null;
    }

    /// <summary>The route holding <paramref name="match"/> on <paramref name="host"/>, or null.</summary>
    public Route? Get(HostPattern host, PathMatch match) =>
        _hosts.TryGetValue(host, out var routes) && routes.TryGetValue(match, out var route) ? route : null;

    /// <summary>Replaces the route that holds the same host and match (a canary joining its main route).</summary>
    public void Replace(HostPattern host, Route route) => _hosts[host][route.Match] = route;

    public bool Contains(HostPattern host) => _hosts.ContainsKey(host);

    /// <summary>The host's routes in precedence order: Exact first, then longest prefix.</summary>
    public EquatableArray<Route> RoutesOf(HostPattern host) =>
        _hosts.TryGetValue(host, out var routes) ? [.. routes.Values.OrderBy(r => r.Match)] : [];
}
