using System.Globalization;
using System.Numerics;
using Portico.Core.Model;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// Translates a <see cref="ProxyModel"/> into nginx syntax; every routing decision (which route, which action, the
/// catch-all) was made by the builder, so this only maps each host's effective routes onto locations:
/// Exact "/p" is <c>location = "/p"</c>; Prefix "/p" is <c>location = "/p"</c> plus <c>location ^~ "/p/"</c>
/// (element-wise: never "/pq"; the explicit exact location also stops nginx's automatic slash redirect); Prefix "/"
/// is <c>location "/"</c>. Where an Exact route has the same path, the exact location is the Exact route's. nginx
/// picks "=" first and then the longest prefix, which is the Ingress precedence. An Exact "/p/" also gets
/// <c>location = "/p"</c>, with the route the model gives "/p" (<see cref="VirtualHost.RouteFor"/>): without it,
/// nginx would answer "/p" itself with a redirect to "/p/".
/// </summary>
internal static class NginxViewBuilder
{
    public const string CertificateDirectory = "certs";

    public static NginxView Build(ProxyModel model, ProxySettings settings)
    {
        var upstreams = model.Upstreams.ToDictionary(u => u.Name, StringComparer.Ordinal);
        bool lua = settings.NginxLuaEndpoints;
        var servers = model.VirtualHosts
            .Where(v => v.Host.Kind != HostKind.Any)
            .Select(v => Server(v, v.CertificateId, isDefault: false, lua))
            .ToList();
        var defaultServer = Server(model.AnyHost, model.DefaultCertificateId, isDefault: true, lua);

        // With Lua endpoints the endpoints live in NginxEndpointsFile; otherwise each upstream with ready endpoints
        // is a block of its own.
        var upstreamBlocks = lua ? [] : model.Upstreams
            .Where(u => u.ExternalName is null && u.Endpoints.Length > 0)
            .Select(u => new NginxUpstreamView(u.Name, [.. u.Endpoints.Select(e => e.HostPort)]))
            .ToList();

        if (lua)
        {
            servers = [.. servers.Select(WithRoutes)];
            defaultServer = WithRoutes(defaultServer);
        }

        var auth = new NginxAuthViews(model, lua);
        servers = [.. servers.Select(auth.WithAuth)];
        defaultServer = auth.WithAuth(defaultServer);

        var fallbackHosts = lua ? FallbackHosts(model) : [];
        return new NginxView(Settings(settings, model), upstreamBlocks, servers, defaultServer, fallbackHosts) { Auth = auth.Http() };
    }

    /// <summary>
    /// Lua endpoints: every location that proxies to an upstream or answers a status names a route instead, whose
    /// target is live data; switching a path to another Service, or a Service appearing or going, is then no reload.
    /// The key is derived from server name, modifier and path: stable as long as the location exists.
    /// </summary>
    private static NginxServerView WithRoutes(NginxServerView server) => server with
    {
        Locations = [.. server.Locations.Select(l => l.RouteTarget is null ? l : l with { Route = RouteKey(server, l) })],
    };

    private static string RouteKey(NginxServerView server, NginxLocationView location)
    {
        // The policy's key is part of the identity: a route whose policy changed gets a new key, so its new target
        // cannot go out live while the workers still run the old policy (the reload brings both together).
        string identity = $"{(server.IsDefault ? "_" : server.Host)}\n{location.Modifier}\n{location.Path}{(location.Policy.IsEmpty ? string.Empty : "\n" + location.Policy.Key)}";
        return "r" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)))[..20];
    }

    /// <summary>
    /// Exact, plain-HTTP hosts the default server can route from the live file while their own server block waits for
    /// a reload: those whose every effective route is a live target (an upstream or a status, not an external name).
    /// </summary>
    private static List<NginxFallbackHost> FallbackHosts(ProxyModel model)
    {
        var hosts = new List<NginxFallbackHost>();
        foreach (var host in model.VirtualHosts.Where(v => v.Host.Kind == HostKind.Exact && v.CertificateId is null))
        {
            var routes = host.EffectiveRoutes.ToList();
            // A host with any policy waits for its own server block: the fallback table only routes, it enforces nothing.
            if (routes.Any(r => LiveTarget(r.Action) is null || !r.Policy.IsEmpty))
            {
                continue;
            }

            hosts.Add(new NginxFallbackHost(host.Host.Value, [.. routes.Select(r => new NginxFallbackRule(r.Match.Kind == PathKind.Exact, r.Match.Path, LiveTarget(r.Action)!))]));
        }

        return hosts;
    }

    /// <summary>The live file's form of an action: the upstream name, or "!STATUS"; null for what only nginx.conf can do.</summary>
    private static string? LiveTarget(RouteAction action) => Location(string.Empty, "/", action, lua: true).RouteTarget;

    public static string CertificateFile(string id) => $"{CertificateDirectory}/{id}.crt";

    public static string KeyFile(string id) => $"{CertificateDirectory}/{id}.key";

    private static NginxServerView Server(VirtualHost host, string? certificateId, bool isDefault, bool lua)
    {
        var locations = new List<NginxLocationView>();
        var routes = host.EffectiveRoutes.ToList();
        var exactPaths = routes.Where(r => r.Match.Kind == PathKind.Exact).Select(r => r.Match.Path).ToHashSet(StringComparer.Ordinal);
        var exactLocationPaths = routes.Where(r => !r.Match.IsRootPrefix).Select(r => r.Match.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var match = route.Match;
            if (match.Kind == PathKind.Exact)
            {
                locations.Add(Location("=", match.Path, route.Action, lua) with { Policy = route.Policy });

                // nginx answers a request for "/p" by itself with a 301 to "/p/" when a location named "/p/" (exact
                // ones too) uses proxy_pass: its auto-redirect. An Exact "/p/" must not catch "/p" at all, so "/p"
                // gets an exact location of its own, doing what the model gives "/p".
                if (match.Path.Length > 1 && match.Path.EndsWith('/') && exactLocationPaths.Add(match.Path[..^1]))
                {
                    string bare = match.Path[..^1];
                    var bareRoute = host.RouteFor(bare)!;
                    locations.Add(Location("=", bare, bareRoute.Action, lua) with { Policy = bareRoute.Policy });
                }
            }
            else if (match.IsRootPrefix)
            {
                locations.Add(Location(string.Empty, "/", route.Action, lua) with { Policy = route.Policy });
            }
            else
            {
                if (!exactPaths.Contains(match.Path))
                {
                    locations.Add(Location("=", match.Path, route.Action, lua) with { Policy = route.Policy });
                }

                locations.Add(Location("^~", match.Path + "/", route.Action, lua) with { Policy = route.Policy });
            }
        }

        var certificate = certificateId is null ? null : new NginxCertificateView(CertificateFile(certificateId), KeyFile(certificateId));
        var redirect = host.HttpsRedirect is { } r
            ? new NginxRedirectView(r.Status, r.Scheme, r.Port == 443 ? string.Empty : ":" + r.Port.ToString(CultureInfo.InvariantCulture))
            : null;
        return new NginxServerView(host.Host.Value, host.Host.Kind == HostKind.Wildcard, isDefault, certificate, locations, redirect);
    }

    /// <summary>
    /// One location doing what the model's action says: proxy to an upstream, to an external name, or answer a
    /// status. With Lua endpoints every upstream or status location becomes a route (<see cref="WithRoutes"/>), and a
    /// 503 for a backend without ready endpoints names that backend's upstream: the live file lists it with no
    /// endpoints, which the Lua answers with 503, so endpoints arriving change one upstream line, and a switch to
    /// another backend stays visible in `portico diff`.
    /// </summary>
    private static NginxLocationView Location(string modifier, string path, RouteAction action, bool lua) => action switch
    {
        ForwardAction forward => new NginxLocationView(modifier, path, forward.UpstreamName, null, null),
        ExternalNameAction external => new NginxLocationView(modifier, path, null, string.Create(CultureInfo.InvariantCulture, $"{external.Host}:{external.Port}"), null),
        RespondAction { Status: 503, Backend: { } backend } when lua => new NginxLocationView(modifier, path, backend, null, null),
        RespondAction respond => new NginxLocationView(modifier, path, null, null, respond.Status),
        _ => throw new TemplateException($"nginx cannot render the route action {action}"),
    };

    /// <summary>nginx time: whole seconds as "75s", otherwise milliseconds.</summary>
    private static string Time(TimeSpan value)
    {
        long ms = (long)value.TotalMilliseconds;
        return ms % 1000 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}s") : string.Create(CultureInfo.InvariantCulture, $"{ms}ms");
    }

    /// <summary>nginx size: the largest of m, k or bytes that is exact.</summary>
    private static string Size(long bytes) => bytes switch
    {
        > 0 when bytes % (1024 * 1024) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)}m"),
        > 0 when bytes % 1024 == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024}k"),
        _ => bytes.ToString(CultureInfo.InvariantCulture),
    };

    private static NginxSettingsView Settings(ProxySettings settings, ProxyModel model)
    {
        var exactNames = model.VirtualHosts.Where(v => v.Host.Kind == HostKind.Exact).Select(v => v.Host.Value).ToList();
        int longest = exactNames.Count == 0 ? 0 : exactNames.Max(n => n.Length);

        // nginx stores each name as pointer + length + name (aligned to 8) and ends a bucket with a pointer. A bucket
        // holding two of the longest names and a table of up to four slots per name let nginx find a hash without
        // "could not build optimal server_names_hash" (a bucket of one name would need a collision-free hash).
        int element = 8 + ((longest + 2 + 7) / 8 * 8);
        int bucket = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, (2 * element) + 8));
        int maxSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1024, exactNames.Count * 4));

        return new NginxSettingsView(
            settings.ListenHttp.HostPort,
            settings.ListenHttps.HostPort,
            settings.StatusListen.HostPort,
            settings.WorkerProcesses == 0 ? "auto" : settings.WorkerProcesses.ToString(CultureInfo.InvariantCulture),
            settings.WorkerConnections,
            Time(settings.ProxyConnectTimeout),
            Time(settings.ProxyReadTimeout),
            Time(settings.ProxySendTimeout),
            Time(settings.ClientKeepaliveTimeout),
            Size(settings.ClientMaxBodyBytes),
            settings.UpstreamKeepaliveConnections,
            settings.AccessLog,
            settings.TrustForwardedHeaders,
            settings.DnsResolver?.ToString(),
            maxSize,
            bucket,
            settings.NginxLuaEndpoints,
            settings.NginxModulesDirectory.TrimEnd('/'));
    }
}
