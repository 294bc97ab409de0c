using System.Globalization;
using Portico.Core.Model;

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
        return new EnvoyListenersView(string.Empty, settings, Files, chains, defaultChain);
    }

    public static EnvoyClustersView Clusters(ProxyModel model, EnvoySettingsView settings)
    {
        var clusters = new List<EnvoyClusterView>();
        foreach (var upstream in model.Upstreams)
        {
            if (upstream.ExternalName is { } externalName)
            {
                clusters.Add(new EnvoyClusterView(upstream.Name, "LOGICAL_DNS", [new EnvoyEndpointView(externalName, upstream.Port)]));
            }
            else if (upstream.Endpoints.Length > 0)
            {
                clusters.Add(new EnvoyClusterView(upstream.Name, "STATIC", [.. upstream.Endpoints.Select(e => new EnvoyEndpointView(e.Address.ToString(), e.Port))]));
            }
        }

        return new EnvoyClustersView(string.Empty, settings, clusters);
    }

    /// <summary>The route table of the plain-HTTP listener (<paramref name="tls"/> false) or of the HTTPS listener.</summary>
    public static EnvoyRouteConfigView Routes(ProxyModel model, ProxySettings settings, EnvoySettingsView settingsView, bool tls)
    {
        var anyHostRoutes = HostRoutes(model.AnyHost, wildcardHost: null);
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
                ? [Route("prefix", "/", oneLabel, redirect)]
                : HostRoutes(host, oneLabel);
            if (wildcard)
            {
                routes.AddRange(anyHostRoutes);
            }

            virtualHosts.Add(new EnvoyVirtualHostView(host.Host.Value, [host.Host.Value], routes));
        }

        virtualHosts.Add(new EnvoyVirtualHostView(AnyHostName, [AnyHostName], anyHostRoutes));
        return new EnvoyRouteConfigView(string.Empty, tls ? HttpsRouteConfig : HttpRouteConfig, settingsView, Headers(settings, tls), virtualHosts);
    }

    /// <summary>A host's effective routes (the model's order, catch-all last) as Envoy routes.</summary>
    private static List<EnvoyRouteView> HostRoutes(VirtualHost host, string? wildcardHost) =>
        [.. host.EffectiveRoutes.Select(route => Route(
            route.Match.Kind switch
            {
                PathKind.Exact => "path",
                PathKind.Regex => "safe_regex",
                _ => route.Match.IsRootPrefix ? "prefix" : "path_separated_prefix",
            },
            route.Match.Kind == PathKind.Regex ? EnvoyRewriteView.MatchPattern(route.Match) : route.Match.Path,
            wildcardHost,
            route.Action) with { Rewrite = EnvoyRewriteView.For(route.Match, route.Policy.Rewrite) })];

    /// <summary>One Envoy route doing what the model's action says: a cluster (pod endpoints or an external name), a fixed status, or a redirect.</summary>
    private static EnvoyRouteView Route(string kind, string path, string? wildcardHost, RouteAction action) => action switch
    {
        ForwardAction forward => new EnvoyRouteView(kind, path, wildcardHost, forward.UpstreamName, null, null),
        ExternalNameAction external => new EnvoyRouteView(kind, path, wildcardHost, external.UpstreamName, null, null),
        RespondAction respond => new EnvoyRouteView(kind, path, wildcardHost, null, respond.Status, null),
        RedirectAction redirect => new EnvoyRouteView(kind, path, wildcardHost, null, null, redirect.Port),
        UrlRedirectAction redirect => new EnvoyRouteView(kind, path, wildcardHost, null, null, null) { Redirect = EnvoyRedirectView.For(redirect) },
        _ => throw new TemplateException($"Envoy cannot render the route action {action}"),
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
