using System.Collections.Immutable;
using Portico.Core.Model;

namespace Portico.Core.Explaining;

/// <summary>
/// Compares two models route by route (pure). A route is a (host, path, pathType) of a virtual host's effective routes,
/// the catch-all included; its state is the explain verdict plus the host's certificate and redirect. Only what the
/// models say is compared, so document order, formatting and kinds Portico does not read change nothing.
/// </summary>
public static class RoutePlanner
{
    public static RoutePlan Plan(ProxyModel before, IEnumerable<Diagnostic> beforeDiagnostics, ProxyModel after, IEnumerable<Diagnostic> afterDiagnostics)
    {
        ArgumentNullException.ThrowIfNull(beforeDiagnostics);
        ArgumentNullException.ThrowIfNull(afterDiagnostics);
        var old = RoutesOf(before);
        var current = RoutesOf(after);
        var routes = ImmutableArray.CreateBuilder<PlannedRoute>();
        foreach (var key in old.Keys.Union(current.Keys).Order(KeyOrder.Instance))
        {
            var was = old.GetValueOrDefault(key);
            var now = current.GetValueOrDefault(key);
            var change = was is null ? RouteChange.Added : now is null ? RouteChange.Removed : was.SameAs(now) ? (RouteChange?)null : RouteChange.Changed;
            if (change is { } c)
            {
                routes.Add(new PlannedRoute(c, key.Host.Kind == HostKind.Any ? string.Empty : key.Host.Value, key.Match.Path, key.Match.Kind.ToString(), was, now));
            }
        }

        var beforeSet = beforeDiagnostics.ToHashSet();
        var afterSet = afterDiagnostics.ToHashSet();
        return new RoutePlan(routes.ToImmutable(), [.. afterSet.Except(beforeSet).Order()], [.. beforeSet.Except(afterSet).Order()]);
    }

    private static Dictionary<(HostPattern Host, PathMatch Match), RouteState> RoutesOf(ProxyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var routes = new Dictionary<(HostPattern, PathMatch), RouteState>();
        var upstreams = ExplainedBackend.Index(model);
        var certificates = model.Certificates.ToDictionary(c => c.Id, StringComparer.Ordinal);
        foreach (var host in model.VirtualHosts)
        {
            var certificate = host.CertificateId is { } id ? certificates.GetValueOrDefault(id) : null;
            foreach (var route in host.EffectiveRoutes)
            {
                routes[(host.Host, route.Match)] = new RouteState(RequestExplainer.ForRoute(upstreams, host, route), certificate, host.HttpsRedirect?.Status, ReferenceEquals(route, host.Fallback));
            }
        }

        return routes;
    }

    /// <summary>Hosts as the model sorts them (exact, wildcard, any), then paths by precedence.</summary>
    private sealed class KeyOrder : IComparer<(HostPattern Host, PathMatch Match)>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare((HostPattern Host, PathMatch Match) x, (HostPattern Host, PathMatch Match) y)
        {
            int byHost = x.Host.CompareTo(y.Host);
            return byHost != 0 ? byHost : x.Match.CompareTo(y.Match);
        }
    }
}
