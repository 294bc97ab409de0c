using System.Security.Cryptography;
using System.Text;
using Portico.Core.Model;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// With Lua endpoints, a server whose routes all do the same thing besides their target (one policy, no rewrite, no
/// regex path, every target live data) gets <b>one</b> location, <c>location "/"</c>, and the Lua matches the
/// request's path against the host's rules from the live file (ADR 0011). lua-nginx-module 0.10.23 pays an OpenSSL
/// context for every location, so at 10,000 Ingresses the per-path locations (four per Ingress of three paths) made
/// <c>nginx -t</c> and nginx's memory grow with paths; this way they follow servers. A path added to or switched
/// on such a host is then no reload at all. Servers whose routes differ in what nginx must enforce keep one location
/// per path (<see cref="NginxViewBuilder"/>).
/// <para>The rules are keyed by server and policy: a policy change gives the server a new key, so while nginx
/// reloads, the old workers keep the old key's rules (the live file published during a swap is the union of old
/// and new) and never route by rules meant for a policy they do not enforce yet.</para>
/// </summary>
internal static class NginxLiveMatching
{
    /// <summary><paramref name="server"/> as one location matched by Lua, or unchanged when its routes need nginx's own locations.</summary>
    public static NginxServerView Compact(NginxServerView server, VirtualHost host, Func<RouteAction, string?> liveTarget)
    {
        var routes = host.EffectiveRoutes.ToList();
        if (server.IsDefault || routes.Count == 0 || server.Locations.Count == 0
            || routes.Any(r => r.Match.Kind == PathKind.Regex || r.Policy.Rewrite is not null || liveTarget(r.Action) is null)
            || server.Locations.Any(l => l.Route is null || l.Redirect is not null || l.Modifier == "~" || l.Routing.Rewrites.Count != 0))
        {
            return server;
        }

        // Everything a location prints besides its path and its route comes from its policy (traffic, auth and
        // balance views are derived from it alone), so equal policies print equal bodies. With the routes' policies
        // equal, so are the locations' (what nginx.conf enforces) and their live parts (ADR 0016).
        var policy = server.Locations[0].Policy;
        var full = routes[0].Policy;
        if (routes.Any(r => !r.Policy.Equals(full)) || server.Locations.Any(l => !l.Policy.Equals(policy) || !Equals(l.Live, server.Locations[0].Live)))
        {
            return server;
        }

        string key = Key(server, policy);
        var rules = routes.Select(r => new NginxFallbackRule(r.Match.Kind == PathKind.Exact, r.Match.Path, liveTarget(r.Action)!)).ToList();
        var location = server.Locations[0] with { Modifier = string.Empty, Path = "/", Route = null, Upstream = null, WeightedTarget = null, Status = null, RulesKey = key };
        return server with { Locations = [location], LiveRules = new NginxLiveRules(key, rules) };
    }

    private static string Key(NginxServerView server, Model.Policies.RoutePolicy policy)
    {
        string identity = $"{(server.Wildcard ? "~" : string.Empty)}{server.Host}\n{policy.Key}";
        return "h" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..20];
    }
}
