using System.Globalization;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Rendering.Envoy;

/// <summary>
/// Shapes a <see cref="ProxyModel"/> for Envoy, with the same Ingress semantics as nginx (docs/envoy.md has the
/// table). Envoy picks ONE virtual host per request (exact domain, then longest "*.suffix", then "*") and then the
/// FIRST matching route of that host; a host whose routes all miss answers 404 without trying another host. So:
/// <list type="bullet">
/// <item>Exact "/p" is <c>path</c>; Prefix "/p" is <c>path_separated_prefix</c> (element-wise); Prefix "/" is
/// <c>prefix "/"</c>; a Regex path is <c>safe_regex</c> "^(?:PATH).*" (RE2 matches the whole path). The model's
/// order (Exact first, then Prefix and Regex by path length) is kept, which is Ingress precedence.</item>
/// <item>Every host's routes are the model's effective routes: its rules, then the catch-all the builder gave it
/// (default backend or 404) unless it has its own "/" route.</item>
/// <item>A wildcard "*.foo.com" is Envoy's suffix domain (any depth), so its own routes and its catch-all also require
/// <c>:authority</c> to be one label plus the suffix; after them come the any-host routes and catch-all without that
/// condition, so "a.b.foo.com" gets what a host matching no rule gets.</item>
/// <item>Ports in Host are ignored for matching (<c>ignore_port_in_host_matching</c>) and still forwarded.</item>
/// <item>The HTTPS route table holds only hosts served with TLS, plus the any-host; as in nginx, a plain-HTTP host asked
/// for over HTTPS gets the any-host routes.</item>
/// </list>
/// </summary>
internal static class EnvoyViewBuilder
{
    public const string CertificateDirectory = EnvoyRenderer.CertificateDirectory;
    public const string HttpRouteConfig = "http";
    public const string HttpsRouteConfig = "https";
    public const string AnyHostName = "*";

    /// <summary>Every Envoy resource name Portico uses; also written into the node, for the admin API.</summary>
    public const string NodeName = "portico";

    /// <summary>The paths Envoy reads, through the link to the version in use; the watched directory holds the link.</summary>
    public static EnvoyFilesView Files { get; } = new(
        EnvoyRenderer.ReadPath(EnvoyRenderer.ListenersFile),
        EnvoyRenderer.ReadPath(EnvoyRenderer.ClustersFile),
        EnvoyRenderer.ReadPath(EnvoyRenderer.HttpRoutesFile),
        EnvoyRenderer.ReadPath(EnvoyRenderer.HttpsRoutesFile),
        EnvoyRenderer.WatchedDirectory);

    /// <summary>The rendered certificate file (relative to the version directory).</summary>
    public static string CertificateFile(string id) => $"{CertificateDirectory}/{id}.crt";

    /// <summary>The rendered key file (relative to the version directory).</summary>
    public static string KeyFile(string id) => $"{CertificateDirectory}/{id}.key";

    public static EnvoySettingsView Settings(ProxySettings settings) => new(
        NodeName,
        NodeName,
        settings.StatusListen.Address.ToString(),
        settings.StatusListen.Port,
        settings.ListenHttp.Address.ToString(),
        settings.ListenHttp.Port,
        settings.ListenHttps.Address.ToString(),
        settings.ListenHttps.Port,
        Duration(settings.ProxyConnectTimeout),
        Duration(settings.ProxyReadTimeout > settings.ProxySendTimeout ? settings.ProxyReadTimeout : settings.ProxySendTimeout),
        Duration(settings.ClientKeepaliveTimeout),
        settings.TrustForwardedHeaders ? 1 : 0,
        settings.AccessLog,
        settings.DnsResolver?.ToString(),
        Math.Min(settings.ClientMaxBodyBytes, uint.MaxValue));

    public static EnvoyListenersView Listeners(ProxyModel model, EnvoySettingsView settings)
    {
        // One filter chain per certificate, selected by SNI among the TLS hosts that use it.
        var chains = model.VirtualHosts
            .Where(v => v.Host.Kind != HostKind.Any && v.CertificateId is not null)
            .GroupBy(v => v.CertificateId!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Chain("tls-" + g.Key, g.Key, [.. g.Select(v => v.Host.Value).Order(StringComparer.Ordinal)]))
            .ToList();
        var defaultChain = model.DefaultCertificateId is { } id ? Chain("tls-default", id, []) : null;
        return new EnvoyListenersView(string.Empty, settings, Files, chains, defaultChain, Filters(model, settings));
    }

    /// <summary>The policy filters the routes turn on; each is in the chain once (ext_authz once per auth target), disabled by default.</summary>
    private static EnvoyFilterChainView Filters(ProxyModel model, EnvoySettingsView settings)
    {
        var policies = EnforcedPolicies(model).ToList();
        bool bufferByRoute = policies.Any(p => p.MaxRequestBodyBytes is not null);
        return new EnvoyFilterChainView(
            policies.Any(p => p.Cors is not null),
            policies.Any(p => p.IpAccess is not null),
            policies.Any(p => p.RateLimit is not null),
            policies.Any(p => p.BasicAuth is not null),
            [.. policies.Select(p => p.ExternalAuth).OfType<ExternalAuthTarget>().Distinct()
                .Select(t => EnvoyPolicyViewBuilder.ExtAuthz(t, settings)).OrderBy(f => f.Name, StringComparer.Ordinal)],
            settings.MaxRequestBytes > 0 || bufferByRoute,
            settings.MaxRequestBytes == 0,
            settings.MaxRequestBytes > 0 ? settings.MaxRequestBytes : uint.MaxValue);
    }

    /// <summary>True when a route table will hold basic-auth password hashes (the renderer then writes it private).</summary>
    public static bool HoldsCredentials(ProxyModel model) => EnforcedPolicies(model).Any(p => p.BasicAuth is not null);

    /// <summary>The policies of every route that proxies and whose access control Envoy can enforce (the others answer 403).</summary>
    private static IEnumerable<RoutePolicy> EnforcedPolicies(ProxyModel model) =>
        model.VirtualHosts.SelectMany(v => v.EffectiveRoutes)
            .Where(r => r.Action is ForwardAction or ExternalNameAction or SplitAction && EnvoyPolicyViewBuilder.CanEnforce(r.Policy))
            .Select(r => r.Policy);

    /// <summary>
    /// A cluster per upstream with endpoints or an external name, plus: a variant per (upstream, options) that route
    /// policies ask for, an empty cluster for an upstream without endpoints that a split or an auth check names (Envoy
    /// answers 503 for it), and a DNS cluster per auth URL.
    /// </summary>
    public static EnvoyClustersView Clusters(ProxyModel model, EnvoySettingsView settings)
    {
        var byName = model.Upstreams.ToDictionary(u => u.Name, StringComparer.Ordinal);
        var clusters = new SortedDictionary<string, EnvoyClusterView>(StringComparer.Ordinal);
        void Add(string upstreamName, EnvoyClusterOptions options)
        {
            string name = EnvoyPolicyViewBuilder.ClusterName(upstreamName, options);
            if (!clusters.ContainsKey(name) && byName.TryGetValue(upstreamName, out var upstream))
            {
                clusters[name] = Cluster(name, upstream) with { Options = options };
            }
        }

        foreach (var upstream in model.Upstreams.Where(u => u.ExternalName is not null || u.Endpoints.Length > 0))
        {
            Add(upstream.Name, EnvoyClusterOptions.Default);
        }

        foreach (var route in model.VirtualHosts.SelectMany(v => v.EffectiveRoutes).Where(r => EnvoyPolicyViewBuilder.CanEnforce(r.Policy)))
        {
            var options = EnvoyPolicyViewBuilder.ClusterOptions(route.Policy);
            foreach (string upstream in UpstreamsOf(route.Action))
            {
                Add(upstream, options);
            }

            if (route.Action is not RespondAction and not RedirectAction && route.Policy.ExternalAuth is { } auth)
            {
                if (auth.UpstreamName is { } authUpstream)
                {
                    Add(authUpstream, EnvoyClusterOptions.Default);
                }
                else if (EnvoyPolicyViewBuilder.ExtAuthzUrlCluster(auth) is { } urlCluster)
                {
                    clusters.TryAdd(urlCluster.Name, urlCluster);
                }
            }
        }

        // The upstream clusters keep the model's order (golden files); variants and auth clusters follow, by name.
        var order = model.Upstreams.Select((u, i) => (u.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        return new EnvoyClustersView(string.Empty, settings, [.. clusters.Values.OrderBy(c => order.TryGetValue(c.Name, out int i) ? i : int.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal)]);
    }

    private static EnvoyClusterView Cluster(string name, Upstream upstream) => upstream.ExternalName is { } externalName
        ? new EnvoyClusterView(name, "LOGICAL_DNS", [new EnvoyEndpointView(externalName, upstream.Port)])
        : new EnvoyClusterView(name, "STATIC", [.. upstream.Endpoints.Select(e => new EnvoyEndpointView(e.Address.ToString(), e.Port))]);

    private static IEnumerable<string> UpstreamsOf(RouteAction action) => action switch
    {
        ForwardAction forward => [forward.UpstreamName],
        ExternalNameAction external => [external.UpstreamName],
        SplitAction split => split.AllUpstreams,
        _ => [],
    };

    /// <summary>The route table of the plain-HTTP listener (<paramref name="tls"/> false) or of the HTTPS listener.</summary>
    public static EnvoyRouteConfigView Routes(ProxyModel model, ProxySettings settings, EnvoySettingsView settingsView, bool tls)
    {
        var anyHostRoutes = HostRoutes(model.AnyHost, wildcardHost: null, settingsView, tls);
        var virtualHosts = new List<EnvoyVirtualHostView>();
        foreach (var host in model.VirtualHosts.Where(v => v.Host.Kind != HostKind.Any))
        {
            if (tls && host.CertificateId is null)
            {
                continue;
            }

            bool wildcard = host.Host.Kind == HostKind.Wildcard;
            string? oneLabel = wildcard ? host.Host.Value : null;
            var routes = !tls && host.HttpsRedirect is { } redirect
                ? [Redirect("prefix", "/", oneLabel, redirect)]
                : HostRoutes(host, oneLabel, settingsView, tls);
            if (wildcard)
            {
                routes.AddRange(anyHostRoutes);
            }

            virtualHosts.Add(new EnvoyVirtualHostView(host.Host.Value, [host.Host.Value], routes));
        }

        virtualHosts.Add(new EnvoyVirtualHostView(AnyHostName, [AnyHostName], anyHostRoutes));
        return new EnvoyRouteConfigView(string.Empty, tls ? HttpsRouteConfig : HttpRouteConfig, settingsView, Headers(settings, tls), virtualHosts);
    }

    /// <summary>
    /// A host's effective routes (the model's order, catch-all last) as Envoy routes. On the plain-HTTP listener a
    /// route whose policy asks for HTTPS redirects instead.
    /// </summary>
    private static List<EnvoyRouteView> HostRoutes(VirtualHost host, string? wildcardHost, EnvoySettingsView settings, bool tls) =>
        [.. host.EffectiveRoutes.SelectMany(route =>
        {
            string kind = route.Match.Kind switch
            {
                PathKind.Exact => "path",
                PathKind.Regex => "safe_regex",
                _ => route.Match.IsRootPrefix ? "prefix" : "path_separated_prefix",
            };
            string path = route.Match.Kind == PathKind.Regex ? EnvoyRewriteView.MatchPattern(route.Match) : route.Match.Path;
            return !tls && route.Policy.HttpsRedirect is { } redirect
                ? [Redirect(kind, path, wildcardHost, redirect)]
                : WithSelectors(Route(kind, path, wildcardHost, route, settings), route);
        })];

    /// <summary>
    /// A split's selectors (a canary's header and cookie rules) as routes of their own right before the weighted one:
    /// the same path and policy, plus the selector's header condition, to the selector's upstream. Envoy takes the first
    /// route that matches, which is the selectors' order and their precedence over the weights. The cookie is matched
    /// on the whole Cookie header (<see cref="SelectorPatterns.Cookie"/>).
    /// </summary>
    private static IEnumerable<EnvoyRouteView> WithSelectors(EnvoyRouteView view, Route route)
    {
        if (route.Action is SplitAction { Selectors.IsEmpty: false } split && view.WeightedClusters.Count > 0)
        {
            var options = EnvoyPolicyViewBuilder.ClusterOptions(route.Policy);
            foreach (var selector in split.Selectors)
            {
                var condition = selector.Source == SelectorSource.Header
                    ? new EnvoyHeaderMatchView(selector.Name, selector.Value, null)
                    : new EnvoyHeaderMatchView("cookie", null, SelectorPatterns.Cookie(selector.Name, selector.Value));
                yield return view with { Cluster = EnvoyPolicyViewBuilder.ClusterName(selector.UpstreamName, options), WeightedClusters = [], Headers = [condition] };
            }
        }

        yield return view;
    }

    /// <summary>
    /// One Envoy route doing what the model's action says: a cluster (pod endpoints or an external name; the variant
    /// its policy needs), weighted clusters, a fixed status, or a redirect. A route whose access control Envoy cannot
    /// enforce answers 403 (fails closed).
    /// </summary>
    private static EnvoyRouteView Route(string kind, string path, string? wildcardHost, Route route, EnvoySettingsView settings)
    {
        var policy = route.Policy;
        if (route.Action is ForwardAction or ExternalNameAction or SplitAction && !EnvoyPolicyViewBuilder.CanEnforce(policy))
        {
            return new EnvoyRouteView(kind, path, wildcardHost, null, 403, null);
        }

        var options = EnvoyPolicyViewBuilder.ClusterOptions(policy);
        var view = EnvoyPolicyViewBuilder.View(policy, route.Match, settings);
        var rewrite = EnvoyRewriteView.For(route.Match, policy.Rewrite);
        return route.Action switch
        {
            ForwardAction forward => new EnvoyRouteView(kind, path, wildcardHost, EnvoyPolicyViewBuilder.ClusterName(forward.UpstreamName, options), null, null) { Policy = view, Rewrite = rewrite },
            ExternalNameAction external => new EnvoyRouteView(kind, path, wildcardHost, EnvoyPolicyViewBuilder.ClusterName(external.UpstreamName, options), null, null) { Policy = view, Rewrite = rewrite },
            SplitAction split => new EnvoyRouteView(kind, path, wildcardHost, null, null, null)
            {
                WeightedClusters = [.. split.Backends.Select(b => new EnvoyWeightedClusterView(EnvoyPolicyViewBuilder.ClusterName(b.UpstreamName, options), b.Weight))],
                Policy = view,
                Rewrite = rewrite,
            },
            RespondAction respond => new EnvoyRouteView(kind, path, wildcardHost, null, respond.Status, null),
            RedirectAction redirect => Redirect(kind, path, wildcardHost, redirect),
            UrlRedirectAction redirect => new EnvoyRouteView(kind, path, wildcardHost, null, null, null) { Redirect = EnvoyRedirectView.For(redirect) },
            _ => throw new TemplateException($"Envoy cannot render the route action {route.Action}"),
        };
    }

    private static EnvoyRouteView Redirect(string kind, string path, string? wildcardHost, RedirectAction redirect) =>
        new(kind, path, wildcardHost, null, null, redirect.Port) { RedirectCode = RedirectCode(redirect.Status) };

    private static string RedirectCode(int status) => status switch
    {
        301 => "MOVED_PERMANENTLY",
        302 => "FOUND",
        303 => "SEE_OTHER",
        307 => "TEMPORARY_REDIRECT",
        308 => "PERMANENT_REDIRECT",
        _ => throw new TemplateException($"Envoy cannot render the redirect status {status}"),
    };

    /// <summary>
    /// X-Forwarded-* as nginx sets them. Untrusted clients: their values are replaced (Envoy's own XFF handling would
    /// append, so XFF is overwritten with the peer address). Trusted (behind a load balancer): XFF is appended by Envoy
    /// (use_remote_address) and the client's proto and host are kept when present.
    /// </summary>
    private static List<EnvoyHeaderView> Headers(ProxySettings settings, bool tls)
    {
        const string Overwrite = "OVERWRITE_IF_EXISTS_OR_ADD";
        string forwarded = settings.TrustForwardedHeaders ? "ADD_IF_ABSENT" : Overwrite;
        var headers = new List<EnvoyHeaderView>();
        if (!settings.TrustForwardedHeaders)
        {
            headers.Add(new EnvoyHeaderView("x-forwarded-for", "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%", Overwrite));
        }

        headers.Add(new EnvoyHeaderView("x-forwarded-proto", tls ? "https" : "http", forwarded));
        headers.Add(new EnvoyHeaderView("x-forwarded-host", "%REQ(:AUTHORITY)%", forwarded));
        headers.Add(new EnvoyHeaderView("x-forwarded-port", (tls ? settings.ListenHttps : settings.ListenHttp).PortText, Overwrite));
        headers.Add(new EnvoyHeaderView("x-real-ip", "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%", Overwrite));
        return headers;
    }

    /// <summary>Chain names are fixed or hash-derived, and distinct: a host's chain may use the default certificate too.</summary>
    private static EnvoyTlsChainView Chain(string name, string certificateId, IReadOnlyList<string> serverNames) =>
        new(name, serverNames, EnvoyRenderer.ReadPath(CertificateFile(certificateId)), EnvoyRenderer.ReadPath(KeyFile(certificateId)));

    /// <summary>A protobuf JSON Duration: whole seconds as "5s", otherwise up to millisecond precision ("0.250s").</summary>
    internal static string Duration(TimeSpan value)
    {
        long ms = (long)value.TotalMilliseconds;
        return ms % 1000 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}s")
            : string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}.{ms % 1000:D3}s");
    }
}
