using System.Globalization;
using System.Numerics;
using Portico.Core.Model;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// Shapes a <see cref="ProxyModel"/> for nginx. The Ingress path rules map onto nginx locations like this:
/// Exact "/p" is <c>location = "/p"</c>; Prefix "/p" is <c>location = "/p"</c> plus <c>location ^~ "/p/"</c>
/// (element-wise: never "/pq"; the explicit exact location also stops nginx's automatic slash redirect); Prefix "/"
/// is <c>location "/"</c>. Where an Exact route has the same path, the exact location is the Exact route's.
/// nginx picks "=" first and then the longest prefix, which is the Ingress precedence. An Exact "/p/" also gets
/// <c>location = "/p"</c> with the target "/p" has by the Ingress rules (see <see cref="Server"/>).
/// </summary>
internal static class NginxViewBuilder
{
    public const string CertificateDirectory = "certs";

    public static NginxView Build(ProxyModel model, ProxySettings settings)
    {
        var upstreams = model.Upstreams.ToDictionary(u => u.Name, StringComparer.Ordinal);
        bool lua = settings.NginxLuaEndpoints;
        var defaultTarget = model.DefaultBackend is { } backend ? Target(backend, upstreams, lua) : (null, null, 404);

        var servers = model.VirtualHosts
            .Where(v => v.Host.Kind != HostKind.Any)
            .Select(v => Server(v, v.CertificateId, isDefault: false, upstreams, lua, defaultTarget))
            .ToList();
        var anyHost = model.AnyHost;
        var defaultServer = Server(anyHost, model.DefaultCertificateId, isDefault: true, upstreams, lua, defaultTarget);

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

        var fallbackHosts = lua ? FallbackHosts(model, upstreams, defaultTarget) : [];
        return new NginxView(Settings(settings, model), upstreamBlocks, servers, defaultServer, fallbackHosts);
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
        string identity = $"{(server.IsDefault ? "_" : server.Host)}\n{location.Modifier}\n{location.Path}";
        return "r" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)))[..20];
    }

    /// <summary>Exact, plain-HTTP hosts whose every target is an upstream or a status (see <see cref="NginxFallbackHost"/>).</summary>
    private static List<NginxFallbackHost> FallbackHosts(ProxyModel model, Dictionary<string, Upstream> upstreams, (string? Upstream, string? External, int? Status) defaultTarget)
    {
        var hosts = new List<NginxFallbackHost>();
        string? fallbackDefault = TargetText(defaultTarget);
        foreach (var host in model.VirtualHosts.Where(v => v.Host.Kind == HostKind.Exact && v.CertificateId is null))
        {
            var rules = host.Routes.Select(r => (r.Match, Target: TargetText(Target(r.Target, upstreams, lua: true)))).ToList();
            if (fallbackDefault is null || rules.Any(r => r.Target is null))
            {
                continue;
            }

            hosts.Add(new NginxFallbackHost(host.Host.Value, [.. rules.Select(r => new NginxFallbackRule(r.Match.Kind == PathKind.Exact, r.Match.Path, r.Target!))], fallbackDefault));
        }

        return hosts;
    }

    private static string? TargetText((string? Upstream, string? External, int? Status) target) =>
        target.External is not null ? null : NginxLocationView.TargetText(target.Upstream, target.Status);

    public static string CertificateFile(string id) => $"{CertificateDirectory}/{id}.crt";

    public static string KeyFile(string id) => $"{CertificateDirectory}/{id}.key";

    private static NginxServerView Server(
        VirtualHost host,
        string? certificateId,
        bool isDefault,
        Dictionary<string, Upstream> upstreams,
        bool lua,
        (string? Upstream, string? External, int? Status) defaultTarget)
    {
        var locations = new List<NginxLocationView>();
        var exactPaths = host.Routes.Where(r => r.Match.Kind == PathKind.Exact).Select(r => r.Match.Path).ToHashSet(StringComparer.Ordinal);
        var exactLocationPaths = host.Routes.Where(r => !r.Match.IsRootPrefix).Select(r => r.Match.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var route in host.Routes)
        {
            var (upstream, external, status) = Target(route.Target, upstreams, lua);
            var match = route.Match;
            if (match.Kind == PathKind.Exact)
            {
                locations.Add(new NginxLocationView("=", match.Path, upstream, external, status));

                // nginx answers a request for "/p" by itself with a 301 to "/p/" when a location named "/p/" (exact
                // ones too) uses proxy_pass: its auto-redirect. An Exact "/p/" must not catch "/p" at all, so "/p"
                // gets an exact location of its own, with the target the Ingress rules give "/p".
                if (match.Path.Length > 1 && match.Path.EndsWith('/') && exactLocationPaths.Add(match.Path[..^1]))
                {
                    string bare = match.Path[..^1];
                    var (bareUpstream, bareExternal, bareStatus) = PrefixTarget(host, bare, upstreams, lua, defaultTarget);
                    locations.Add(new NginxLocationView("=", bare, bareUpstream, bareExternal, bareStatus));
                }
            }
            else if (match.IsRootPrefix)
            {
                locations.Add(new NginxLocationView(string.Empty, "/", upstream, external, status));
            }
            else
            {
                if (!exactPaths.Contains(match.Path))
                {
                    locations.Add(new NginxLocationView("=", match.Path, upstream, external, status));
                }

                locations.Add(new NginxLocationView("^~", match.Path + "/", upstream, external, status));
            }
        }

        if (!host.HasRootRoute)
        {
            locations.Add(new NginxLocationView(string.Empty, "/", defaultTarget.Upstream, defaultTarget.External, defaultTarget.Status));
        }

        var certificate = certificateId is null ? null : new NginxCertificateView(CertificateFile(certificateId), KeyFile(certificateId));
        return new NginxServerView(host.Host.Value, host.Host.Kind == HostKind.Wildcard, isDefault, certificate, locations);
    }

    /// <summary>
    /// What a request for <paramref name="path"/> gets from the host's Prefix routes: the longest that matches it
    /// element-wise (routes are in precedence order), else the default backend (404 without one).
    /// </summary>
    private static (string? Upstream, string? External, int? Status) PrefixTarget(
        VirtualHost host,
        string path,
        Dictionary<string, Upstream> upstreams,
        bool lua,
        (string? Upstream, string? External, int? Status) defaultTarget)
    {
        var route = host.Routes.FirstOrDefault(r => r.Match.Kind == PathKind.Prefix
            && (r.Match.IsRootPrefix || path == r.Match.Path || path.StartsWith(r.Match.Path + "/", StringComparison.Ordinal)));
        return route is null ? defaultTarget : Target(route.Target, upstreams, lua);
    }

    /// <summary>
    /// A route target as nginx does it: an upstream, an external name, or a fixed status. With Lua endpoints an
    /// upstream is named with or without ready endpoints (those live in the endpoints file); without, an upstream
    /// with none is a 503.
    /// </summary>
    private static (string? Upstream, string? External, int? Status) Target(RouteTarget target, Dictionary<string, Upstream> upstreams, bool lua)
    {
        if (target.Upstream is not { } name || !upstreams.TryGetValue(name, out var upstream))
        {
            return (null, null, target.Status ?? 503);
        }

        if (upstream.ExternalName is { } externalName)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"{externalName}:{upstream.Port}"), null);
        }

        return lua || upstream.Endpoints.Length > 0 ? (name, null, null) : (null, null, 503);
    }

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
            settings.RedirectHttpToHttps,
            settings.HttpsRedirectPort == 443 ? string.Empty : ":" + settings.HttpsRedirectPort.ToString(CultureInfo.InvariantCulture),
            settings.DnsResolver?.ToString(),
            maxSize,
            bucket,
            settings.NginxLuaEndpoints,
            settings.NginxModulesDirectory.TrimEnd('/'));
    }
}
