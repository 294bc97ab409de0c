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

    public static NginxView Build(ProxyModel model, ProxySettings settings, NginxServerMemo? memo = null)
    {
        var upstreams = model.Upstreams.ToDictionary(u => u.Name, StringComparer.Ordinal);
        bool lua = settings.NginxLuaEndpoints;
        var settingsView = Settings(settings, model);
        memo?.Begin(settingsView);

        // With Lua endpoints the endpoints live in NginxEndpointsFile; otherwise each upstream with ready endpoints
        // is a block of its own.
        List<NginxUpstreamView> upstreamBlocks = lua ? [] : model.Upstreams
            .Where(u => u.ExternalName is null && u.Endpoints.Length > 0)
            .Select(u => new NginxUpstreamView(u.Name, [.. u.Endpoints.Select(e => e.HostPort)]))
            .ToList();

        // The http-level blocks the servers' policies name. Each host's server is built with blocks of its own, then
        // merged in: the blocks are keyed by content, so the order hosts come in does not matter, and a server the
        // memo kept brings the blocks it named when it was built (NginxServerMemo).
        var http = NginxHttpBlocks.Gathering();
        var variants = new SortedDictionary<string, NginxUpstreamView>(StringComparer.Ordinal);
        var auth = new NginxAuthViews(model, lua);
        NginxServerView BuildServer(VirtualHost host, string? certificateId, bool isDefault, NginxHttpBlocks blocks)
        {
            var server = Server(host, certificateId, isDefault, lua, upstreams);
            server = lua ? WithRoutes(WithLivePolicies(server)) : server;
            server = WithTraffic(server, blocks.Traffic);
            server = WithChoices(server, blocks.Maps, lua, upstreams, variants);
            server = auth.WithAuth(server);
            return lua && !isDefault ? NginxLiveMatching.Compact(server, host, a => LiveTarget(a, upstreams)) : server;
        }

        var servers = new List<NginxServerView>();
        var fallbackHosts = new List<NginxFallbackHost>();
        var sniHosts = new List<string>();
        var wildcardParents = WildcardParents(model);
        foreach (var host in model.VirtualHosts.Where(v => v.Host.Kind != HostKind.Any))
        {
            bool memoized = memo is not null && NginxServerMemo.Applies(host, lua);
            if ((memoized ? memo!.Find(host) : null) is not { } entry)
            {
                // With Lua, a host's own blocks: a host routed without a server block names none (ADR 0018).
                var blocks = memoized || lua ? NginxHttpBlocks.Gathering() : http;
                var server = BuildServer(host, host.CertificateId, isDefault: false, blocks);
                entry = new NginxServerMemo.Entry(server, lua ? FallbackHost(host, upstreams, server.LiveRules?.Rules) : null, memoized ? blocks.Kept() : blocks);
                if (memoized)
                {
                    memo!.Add(host, entry);
                }
            }

            // A host the default server routes from the live file needs no server block of its own (ADR 0014), unless
            // a wildcard server would take its requests from the default server.
            bool ownBlock = entry.Fallback is null || wildcardParents.Contains(Parent(host.Host.Value));
            if (entry.Blocks != http && ownBlock)
            {
                http.Include(entry.Blocks);
            }

            if (entry.Fallback is { } fallback)
            {
                fallbackHosts.Add(fallback);
            }

            if (ownBlock)
            {
                servers.Add(entry.View);
            }
            else if (entry.Fallback!.Tls)
            {
                sniHosts.Add(host.Host.Value);
            }
        }

        var defaultServer = BuildServer(model.AnyHost, model.DefaultCertificateId, isDefault: true, http);
        upstreamBlocks = [.. upstreamBlocks, .. variants.Values];
        var traffic = http.Traffic;
        var maps = http.Maps;
        var splitViews = servers.Prepend(defaultServer).SelectMany(s => s.Locations).Select(l => l.Split).OfType<NginxSplitView>().ToList();
        var splits = splitViews.DistinctBy(s => s.WeightedVariable).OrderBy(s => s.WeightedVariable, StringComparer.Ordinal).ToList();
        var selectorMaps = splitViews.SelectMany(s => s.Selectors).DistinctBy(m => m.Variable).OrderBy(m => m.Variable, StringComparer.Ordinal).ToList();
        var trafficView = traffic.Http;
        var (mapHashMaxSize, mapHashBucketSize) = NginxHashSizes.For([.. NginxHashSizes.CorsKeys(trafficView.CorsMaps)], NginxHashSizes.DefaultMapMaxSize);
        return new NginxView(settingsView, upstreamBlocks, servers, defaultServer, fallbackHosts)
        {
            Traffic = trafficView,
            MapHashMaxSize = mapHashMaxSize,
            MapHashBucketSize = mapHashBucketSize,
            Splits = splits,
            SelectorMaps = selectorMaps,
            Auth = auth.Http(),
            CookieMaps = [.. maps.Cookies.Values],
            AffinityMaps = [.. maps.Affinities.Values],
            SniServer = sniHosts.Count == 0 ? null : new NginxSniServer([.. sniHosts.Order(StringComparer.Ordinal)]),
            SniCertificates = lua ? SniCertificates(model) : [],
            LiveRateZones = LiveRateZones(fallbackHosts),
        };
    }

    /// <summary>One zone per distinct rate and burst of the fallback hosts' rules: a rule may be used before its host's reload too.</summary>
    private static NginxLiveRateZone[] LiveRateZones(List<NginxFallbackHost> hosts) =>
    [
        .. hosts.SelectMany(h => h.Rules).Select(r => r.Live?.Rate?.Zone).OfType<NginxLiveRateZone>()
            .Distinct()
            .OrderBy(z => z.Name, StringComparer.Ordinal),
    ];

    /// <summary>Every host's certificate but the default server's, which nginx loads itself (ADR 0017).</summary>
    private static NginxSniCertificate[] SniCertificates(ProxyModel model) =>
    [
        .. model.VirtualHosts
            .Where(v => v.Host.Kind != HostKind.Any && v.CertificateId is not null)
            .Select(v => new NginxSniCertificate(v.Host.Value, v.CertificateId!))
            .OrderBy(c => c.Host, StringComparer.Ordinal),
    ];

    /// <summary>
    /// Each location's endpoint choice (<see cref="NginxEndpointChoice"/>). Without Lua endpoints the choice lives in
    /// the upstream block, so a location with one proxies to a variant of its upstream (its servers, plus the choice),
    /// named by the upstream and the choice: routes to one Service with different choices never share a block.
    /// </summary>
    private static NginxServerView WithChoices(NginxServerView server, NginxEndpointMaps maps, bool lua, Dictionary<string, Upstream> upstreams, SortedDictionary<string, NginxUpstreamView> variants) => server with
    {
        Locations = [.. server.Locations.Select(l =>
        {
            if (l.Policy.IsEmpty || NginxEndpointChoice.For(l.Policy, maps) is not { } choice)
            {
                return l;
            }

            l = l with { Choice = choice };
            if (lua)
            {
                return l;
            }

            string Variant(string name)
            {
                if (name.Length == 0)
                {
                    return name;
                }

                string variant = name + choice.VariantSuffix;
                variants.TryAdd(variant, new NginxUpstreamView(variant, [.. upstreams[name].Endpoints.Select(e => e.HostPort)]) { Choice = choice });
                return variant;
            }

            return l.Upstream is { } upstream ? l with { Upstream = Variant(upstream) }
                : l.Split is { } split ? l with { Split = split.WithUpstreams(Variant, choice.Key) }
                : l;
        })],
    };

    /// <summary>
    /// Lua endpoints: every location that proxies to an upstream or answers a status names a route instead, whose
    /// target is live data; switching a path to another Service, or a Service appearing or going, is then no reload.
    /// The key is derived from server name, modifier and path: stable as long as the location exists.
    /// </summary>
    private static NginxServerView WithRoutes(NginxServerView server) => server with
    {
        Locations = [.. server.Locations.Select(l => l.RouteTarget is null ? l : l with { Route = RouteKey(server, l) })],
    };

    /// <summary>
    /// Lua endpoints: each location whose target is live data keeps in nginx.conf only what the Lua cannot apply of
    /// its policy; response headers and timeouts go to the live file (<see cref="NginxLivePolicy"/>, ADR 0016), so
    /// the route key, derived from what stays, does not change when they do.
    /// </summary>
    private static NginxServerView WithLivePolicies(NginxServerView server) => server with
    {
        Locations = [.. server.Locations.Select(l => l.RouteTarget is not null && NginxLivePolicy.Split(l.Policy) is { } split
            ? l with { Policy = split.Static, Live = split.Live }
            : l)],
    };

    private static NginxServerView WithTraffic(NginxServerView server, NginxTraffic traffic) => server with
    {
        Locations = [.. server.Locations.Select(l => l.Policy.IsEmpty ? l : l with { Traffic = traffic.Location(l.Policy, external: l.ExternalHost is not null) })],
    };

    private static string RouteKey(NginxServerView server, NginxLocationView location)
    {
        // The policy's key is part of the identity: a route whose policy changed gets a new key, so its new target
        // cannot go out live while the workers still run the old policy (the reload brings both together).
        string identity = $"{(server.IsDefault ? "_" : server.Host)}\n{location.Modifier}\n{location.Path}{(location.Policy.IsEmpty ? string.Empty : "\n" + location.Policy.Key)}";
        return "r" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)))[..20];
    }

    /// <summary>
    /// How the default server routes an exact host from the live file, instead of a server block of the host's own
    /// (ADR 0014; with TLS, the SNI server takes its handshakes, ADR 0017); null for a host it cannot route: one whose
    /// plain HTTP is redirected to HTTPS, with a policy nginx.conf enforces (ADR 0016), a regex route, or a route
    /// whose target is not live data (an external name).
    /// </summary>
    private static NginxFallbackHost? FallbackHost(VirtualHost host, IReadOnlyDictionary<string, Upstream> upstreams, IReadOnlyList<NginxFallbackRule>? liveRules)
    {
        if (host.Host.Kind != HostKind.Exact || host.HttpsRedirect is not null)
        {
            return null;
        }

        var routes = host.EffectiveRoutes.ToList();
        // A host with a policy nginx.conf must enforce has its own server block: the default server's routing table
        // enforces nothing but the live part of a policy (response headers, timeouts; ADR 0016), which each rule
        // carries. So does a host with regex routes: the table's Lua matches exact and prefix rules only.
        if (routes.Any(r => LiveTarget(r.Action, upstreams) is null || !NginxLivePolicy.EnforcedForHost(r.Policy).IsEmpty || r.Match.Kind == PathKind.Regex))
        {
            return null;
        }

        List<NginxFallbackRule> rules = [.. routes.Select(r => new NginxFallbackRule(r.Match.Kind == PathKind.Exact, r.Match.Path, LiveTarget(r.Action, upstreams)!) { Live = NginxLivePolicy.SplitForHost(r.Policy)?.Live })];

        // The host's server, matched by Lua, usually has the same rules: one list for both (the memo keeps both for
        // every plain host: ~1.7 MiB at 10,000 Ingresses, issue 13).
        return new NginxFallbackHost(host.Host.Value, liveRules is not null && liveRules.SequenceEqual(rules) ? liveRules : rules) { Tls = host.CertificateId is not null };
    }

    /// <summary>"foo.com" for each wildcard host "*.foo.com": nginx gives a request for "a.foo.com" to that server when no server has the exact name.</summary>
    private static HashSet<string> WildcardParents(ProxyModel model) =>
        model.VirtualHosts.Where(v => v.Host.Kind == HostKind.Wildcard).Select(v => v.Host.Value[2..]).ToHashSet(StringComparer.Ordinal);

    /// <summary>What follows a host's first label ("foo.com" for "a.foo.com"; empty for a single label).</summary>
    private static string Parent(string host) => host.IndexOf('.', StringComparison.Ordinal) is int dot and >= 0 ? host[(dot + 1)..] : string.Empty;

    /// <summary>The live file's form of an action: the upstream name, a weighted split, or "!STATUS"; null for what only nginx.conf can do.</summary>
    private static string? LiveTarget(RouteAction action, IReadOnlyDictionary<string, Upstream> upstreams) => Location(string.Empty, "/", action, lua: true, upstreams).RouteTarget;

    public static string CertificateFile(string id) => $"{CertificateDirectory}/{id}.crt";

    public static string KeyFile(string id) => $"{CertificateDirectory}/{id}.key";

    private static NginxServerView Server(VirtualHost host, string? certificateId, bool isDefault, bool lua, IReadOnlyDictionary<string, Upstream> upstreams)
    {
        var locations = new List<NginxLocationView>();
        var routes = host.EffectiveRoutes.ToList();
        var exactPaths = routes.Where(r => r.Match.Kind == PathKind.Exact).Select(r => r.Match.Path).ToHashSet(StringComparer.Ordinal);
        var exactLocationPaths = routes.Where(r => r.Match.Kind != PathKind.Regex && !r.Match.IsRootPrefix).Select(r => r.Match.Path).ToHashSet(StringComparer.Ordinal);

        // nginx tries "=" first, then remembers the longest prefix, then tries regex locations in the order written and
        // takes the first that matches, else the remembered prefix ("^~" skips the regexes). On a host with regex
        // routes the model's order (Prefix and Regex together, longer path text first) is kept by writing every
        // non-root Prefix route as a regex location too, in that order; "/" stays a plain prefix: what no regex takes.
        bool regexHost = routes.Any(r => r.Match.Kind == PathKind.Regex);
        foreach (var route in routes)
        {
            var match = route.Match;
            if (match.Kind == PathKind.Regex)
            {
                locations.Add(Location("~", match.AnchoredPattern!, route, lua, upstreams));
            }
            else if (match.Kind == PathKind.Exact)
            {
                locations.Add(Location("=", match.Path, route, lua, upstreams));

                // nginx answers a request for "/p" by itself with a 301 to "/p/" when a location named "/p/" (exact
                // ones too) uses proxy_pass: its auto-redirect. An Exact "/p/" must not catch "/p" at all, so "/p"
                // gets an exact location of its own, doing what the model gives "/p".
                if (match.Path.Length > 1 && match.Path.EndsWith('/') && exactLocationPaths.Add(match.Path[..^1]))
                {
                    string bare = match.Path[..^1];
                    var bareRoute = host.RouteFor(bare)!;
                    locations.Add(Location("=", bare, bareRoute, lua, upstreams));
                }
            }
            else if (match.IsRootPrefix)
            {
                locations.Add(Location(string.Empty, "/", route, lua, upstreams));
            }
            else if (regexHost)
            {
                // Element-wise, as the two prefix locations below; a regex location never auto-redirects "/p" to "/p/".
                locations.Add(Location("~", "^" + NginxRoutingView.RegexLiteral(match.Path) + "(?:/|$)", route, lua, upstreams));
            }
            else
            {
                if (!exactPaths.Contains(match.Path))
                {
                    locations.Add(Location("=", match.Path, route, lua, upstreams));
                }

                locations.Add(Location("^~", match.Path + "/", route, lua, upstreams));
            }
        }

        // With Lua endpoints a host's certificate is the Lua's to present (ADR 0017): nginx loads none per server.
        var certificate = certificateId is null ? null : new NginxCertificateView(CertificateFile(certificateId), KeyFile(certificateId)) { BySni = lua && !isDefault };
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
    private static NginxLocationView Location(string modifier, string path, Route route, bool lua, IReadOnlyDictionary<string, Upstream> upstreams) =>
        Location(modifier, path, route.Action, lua, upstreams) with { Policy = route.Policy, Routing = NginxRoutingView.For(route.Match, route.Policy.Rewrite) };

    private static NginxLocationView Location(string modifier, string path, RouteAction action, bool lua, IReadOnlyDictionary<string, Upstream> upstreams) => action switch
    {
        SplitAction split when lua => new NginxLocationView(modifier, path, null, null, null) { WeightedTarget = NginxSplitView.LiveTarget(split) },
        SplitAction split => new NginxLocationView(modifier, path, null, null, null) { Split = NginxSplitView.For(split, upstreams) },
        ForwardAction forward => new NginxLocationView(modifier, path, forward.UpstreamName, null, null),
        ExternalNameAction external => new NginxLocationView(modifier, path, null, string.Create(CultureInfo.InvariantCulture, $"{external.Host}:{external.Port}"), null),
        RespondAction { Status: 503, Backend: { } backend } when lua => new NginxLocationView(modifier, path, backend, null, null),
        RespondAction respond => new NginxLocationView(modifier, path, null, null, respond.Status),
        UrlRedirectAction redirect => new NginxLocationView(modifier, path, null, null, null) { Redirect = NginxReturnView.For(redirect) },
        _ => throw new TemplateException($"nginx cannot render the route action {action}"),
    };

    private static string Time(TimeSpan value) => NginxUnits.Time(value);

    private static string Size(long bytes) => NginxUnits.Size(bytes);

    private static NginxSettingsView Settings(ProxySettings settings, ProxyModel model)
    {
        var exactNames = model.VirtualHosts.Where(v => v.Host.Kind == HostKind.Exact).Select(v => v.Host.Value).ToList();
        var (maxSize, bucket) = NginxHashSizes.For(exactNames, minMaxSize: 1024);

        // Policies declare variables (maps for CORS and added headers, rate and connection keys, split_clients without
        // Lua endpoints; with them a split is live data and must not change nginx.conf): a few per distinct policy or split. nginx's default table (1024 slots of 64 bytes, one ~40-character name each)
        // then cannot be built optimally and nginx -t warns; room for eight per policy, four slots per variable, and
        // buckets of 128 bytes (two names; the template) keep it quiet.
        // What the Lua applies from the live file declares no variable (ADR 0016): only what stays in nginx.conf counts.
        int policies = model.VirtualHosts.SelectMany(v => v.EffectiveRoutes)
            .Select(r => r.Action is SplitAction && !settings.NginxLuaEndpoints ? (object)r.Action
                : settings.NginxLuaEndpoints ? NginxLivePolicy.Enforced(r.Policy)
                : r.Policy)
            .Where(p => p is not Model.Policies.RoutePolicy { IsEmpty: true })
            .Distinct()
            .Count();
        int variables = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1024, (256 + (policies * 8)) * 4));

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
            settings.ClientMaxBodyBytes,
            settings.UpstreamKeepaliveConnections,
            settings.AccessLog,
            settings.TrustForwardedHeaders,
            settings.DnsResolver?.ToString(),
            maxSize,
            bucket,
            variables,
            settings.NginxLuaEndpoints,
            settings.NginxModulesDirectory.TrimEnd('/'));
    }
}
