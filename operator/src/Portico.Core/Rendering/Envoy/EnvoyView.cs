namespace Portico.Core.Rendering.Envoy;

// The model shaped for the Envoy templates: everything a template prints is computed in EnvoyViewBuilder, so
// templates stay loops over these records. Member names reach templates in snake_case (ServerNames -> server_names).

/// <summary>What envoy.json (the bootstrap) needs.</summary>
internal sealed record EnvoyBootstrapView(EnvoySettingsView Settings, EnvoyFilesView Files);

/// <summary>lds.json: the plain HTTP listener and, when any certificate is served, the HTTPS listener.</summary>
internal sealed record EnvoyListenersView(
    string VersionInfo,
    EnvoySettingsView Settings,
    EnvoyFilesView Files,
    IReadOnlyList<EnvoyTlsChainView> TlsChains,
    EnvoyTlsChainView? DefaultTlsChain,
    EnvoyFilterChainView Filters)
{
    /// <summary>Envoy refuses a listener without filter chains: with no certificate at all there is no HTTPS listener.</summary>
    public bool HasHttpsListener => TlsChains.Count > 0 || DefaultTlsChain is not null;
}

/// <summary>cds.json.</summary>
internal sealed record EnvoyClustersView(string VersionInfo, EnvoySettingsView Settings, IReadOnlyList<EnvoyClusterView> Clusters);

/// <summary>rds-http.json or rds-https.json: one route configuration.</summary>
internal sealed record EnvoyRouteConfigView(
    string VersionInfo,
    string Name,
    EnvoySettingsView Settings,
    IReadOnlyList<EnvoyHeaderView> RequestHeaders,
    IReadOnlyList<EnvoyVirtualHostView> VirtualHosts);

/// <summary>
/// Global settings in the units Envoy's JSON mapping wants (durations as "5s", "0.250s"). <see cref="MaxRequestBytes"/>
/// is the buffer filter's limit (nginx's client_max_body_size); 0 means no limit and no buffer filter.
/// </summary>
internal sealed record EnvoySettingsView(
    string NodeId,
    string NodeCluster,
    string AdminAddress,
    int AdminPort,
    string HttpAddress,
    int HttpPort,
    string HttpsAddress,
    int HttpsPort,
    string ConnectTimeout,
    string RouteIdleTimeout,
    string KeepaliveTimeout,
    int XffNumTrustedHops,
    bool AccessLog,
    string? DnsResolver,
    long MaxRequestBytes);

/// <summary>The fixed paths of the files Envoy reads (through the link "current/"), relative to its working directory, and the directory it watches.</summary>
internal sealed record EnvoyFilesView(string Lds, string Cds, string RdsHttp, string RdsHttps, string WatchedDirectory);

/// <summary>One HTTPS filter chain: the TLS hosts served with one certificate (none for the default chain); file paths as Envoy reads them.</summary>
internal sealed record EnvoyTlsChainView(string Name, IReadOnlyList<string> ServerNames, string CertificateFile, string KeyFile)
{
    public bool IsDefault => ServerNames.Count == 0;
}

/// <summary>
/// One cluster. <see cref="Type"/> is STATIC (pod IPs; none when a split or auth check names an upstream without ready
/// endpoints: Envoy answers 503) or LOGICAL_DNS (an ExternalName Service, an auth URL). <see cref="Options"/> come
/// from the policies of the routes using it.
/// </summary>
internal sealed record EnvoyClusterView(string Name, string Type, IReadOnlyList<EnvoyEndpointView> Endpoints)
{
    public EnvoyClusterOptions Options { get; init; } = EnvoyClusterOptions.Default;
}

internal sealed record EnvoyEndpointView(string Address, int Port);

/// <summary>A header every proxied request gets; <see cref="AppendAction"/> is an Envoy HeaderAppendAction name.</summary>
internal sealed record EnvoyHeaderView(string Key, string Value, string AppendAction);

/// <summary>One Envoy virtual host: its domains and its routes, in the order Envoy tries them (first match wins).</summary>
internal sealed record EnvoyVirtualHostView(string Name, IReadOnlyList<string> Domains, IReadOnlyList<EnvoyRouteView> Routes);

/// <summary>
/// One route. <see cref="MatchKind"/> is the RouteMatch field: "path" (Exact), "path_separated_prefix" (Prefix),
/// "prefix" (only for "/") or "safe_regex" (Regex; <see cref="Path"/> is then the RE2 pattern). <see cref="WildcardHost"/> set means the route also requires a one-label :authority.
/// Exactly one of <see cref="Cluster"/> (or <see cref="WeightedClusters"/>), <see cref="Status"/>,
/// <see cref="HttpsRedirectPort"/> says what it does. <see cref="Policy"/> is set on routes that proxy.
/// </summary>
internal sealed record EnvoyRouteView(string MatchKind, string Path, string? WildcardHost, string? Cluster, int? Status, int? HttpsRedirectPort)
{
    /// <summary>A traffic split: each cluster with its weight.</summary>
    public IReadOnlyList<EnvoyWeightedClusterView> WeightedClusters { get; init; } = [];

    /// <summary>The redirect's RedirectResponseCode name.</summary>
    public string RedirectCode { get; init; } = "PERMANENT_REDIRECT";

    public EnvoyRoutePolicyView? Policy { get; init; }

    /// <summary>For a route that proxies: how the path is rewritten before it is forwarded (routing family).</summary>
    public EnvoyRewriteView? Rewrite { get; init; }

    /// <summary>Set when the route answers with its own redirect (UrlRedirectAction) instead.</summary>
    public EnvoyRedirectView? Redirect { get; init; }

    /// <summary>Request header conditions besides the path (a canary selector's), after the wildcard host's :authority one.</summary>
    public IReadOnlyList<EnvoyHeaderMatchView> Headers { get; init; } = [];

    public bool HasHeaders => WildcardHost is not null || Headers.Count > 0;

    public bool Proxies => Cluster is not null || WeightedClusters.Count > 0;
}

/// <summary>A route's header condition: the header <see cref="Name"/> equal to <see cref="Exact"/>, or matching the RE2 <see cref="Regex"/> whole.</summary>
internal sealed record EnvoyHeaderMatchView(string Name, string? Exact, string? Regex);

internal sealed record EnvoyWeightedClusterView(string Name, int Weight);
