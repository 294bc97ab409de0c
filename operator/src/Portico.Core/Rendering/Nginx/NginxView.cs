namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The model shaped for nginx.conf: everything a template prints is computed here, so templates stay simple loops.
/// Member names reach templates in snake_case (ServerNames -> server_names).
/// </summary>
public sealed record NginxView(
    NginxSettingsView Settings,
    IReadOnlyList<NginxUpstreamView> Upstreams,
    IReadOnlyList<NginxServerView> Servers,
    NginxServerView DefaultServer,
    IReadOnlyList<NginxFallbackHost> FallbackHosts)
{
    /// <summary>http-level blocks the locations' traffic policies name (zones, maps).</summary>
    public NginxHttpTrafficView Traffic { get; init; } = NginxHttpTrafficView.None;

    /// <summary>The split_clients blocks of weighted routes (only without Lua endpoints), one per distinct split.</summary>
    public IReadOnlyList<NginxSplitView> Splits { get; init; } = [];

    /// <summary>The maps of splits with selectors (a canary's header and cookie rules), one per distinct map.</summary>
    public IReadOnlyList<NginxSelectorMap> SelectorMaps { get; init; } = [];

    /// <summary>http-level authentication directives (<see cref="NginxAuthViews"/>).</summary>
    public NginxHttpAuthView Auth { get; init; } = NginxHttpAuthView.None;

    /// <summary>http-level maps of the locations' endpoint choices (cookies read, session affinity).</summary>
    public IReadOnlyList<NginxCookieMapView> CookieMaps { get; init; } = [];

    /// <summary>Session affinity's maps (<see cref="NginxEndpointChoice"/>).</summary>
    public IReadOnlyList<NginxAffinityMapView> AffinityMaps { get; init; } = [];

    /// <summary>map_hash_max_size: room for the exact keys of the largest map (the CORS origins of every rule).</summary>
    public int MapHashMaxSize { get; init; } = NginxHashSizes.DefaultMapMaxSize;

    /// <summary>map_hash_bucket_size: a bucket holds two of the longest exact keys ("ID ORIGIN" of a CORS rule).</summary>
    public int MapHashBucketSize { get; init; } = NginxHashSizes.DefaultBucketSize;

    /// <summary>
    /// <see cref="Servers"/>' blocks, each already printed by the <c>_server</c> template (in that order): nginx.conf
    /// writes them as they are, so a block the renderer kept from the last rendering is not printed again
    /// (<see cref="NginxServerMemo"/>).
    /// </summary>
    public IReadOnlyList<string> ServerBlocks { get; init; } = [];

    /// <summary>
    /// With Lua endpoints: the server that answers the TLS handshakes of <see cref="NginxSniServer.Hosts"/>, hosts the
    /// default server routes from the live file (ADR 0017); null when there are none.
    /// </summary>
    public NginxSniServer? SniServer { get; init; }

    /// <summary>
    /// With Lua endpoints: which certificate each host with TLS presents ("HOST ID" lines of
    /// <see cref="NginxRenderer.CertificatesFile"/>), sorted; the Lua loads them when nginx loads its configuration.
    /// </summary>
    public IReadOnlyList<NginxSniCertificate> SniCertificates { get; init; } = [];

    /// <summary>
    /// With Lua endpoints: the limit_req zones of the fallback hosts' rate limits (ADR 0018), one per distinct rate
    /// and burst, sorted by name; the default server's hand-off names each, keyed by a variable the Lua sets.
    /// </summary>
    public IReadOnlyList<NginxLiveRateZone> LiveRateZones { get; init; } = [];
}

/// <summary>
/// The one server listening for HTTPS under the names of hosts with TLS that have no server block (ADR 0017): its
/// certificate is chosen by the client's server name, and the live file routes the request as the default server
/// does. <see cref="Hosts"/> are exact names, sorted.
/// </summary>
public sealed record NginxSniServer(IReadOnlyList<string> Hosts);

/// <summary>A host name ("a.example.com", or "*.example.com" for one label) and the id of the certificate it presents.</summary>
public sealed record NginxSniCertificate(string Host, string Id);

/// <summary>
/// A host with an exact name, no policy nginx.conf enforces and only live targets, which the default server routes by
/// itself (Lua, from the live file, ADR 0014), over HTTPS too when it has TLS and no redirect (the SNI server, ADR
/// 0017): such a host has no server block of its own unless a wildcard server would take its requests, and a new
/// plain-HTTP one is routed before any reload. <see cref="Rules"/> are the host's effective routes
/// in precedence order, the catch-all included; targets are upstream names or "!STATUS".
/// </summary>
public sealed record NginxFallbackHost(string Host, IReadOnlyList<NginxFallbackRule> Rules)
{
    /// <summary>The host has TLS: its requests are routed over HTTPS too, where the SNI server took the handshake (ADR 0017).</summary>
    public bool Tls { get; init; }
}

public sealed record NginxFallbackRule(bool Exact, string Path, string Target)
{
    /// <summary>
    /// A fallback host's rule: what its route's policy has that the Lua applies (ADR 0016; a host whose routes have
    /// anything else of a policy has a server block). Null for none, and for the rules of a Lua-matched server, whose
    /// one location names its live policy by its rules key.
    /// </summary>
    public NginxLivePolicy? Live { get; init; }
}

/// <summary>
/// The routing table of a server matched by Lua from one location (<see cref="NginxLiveMatching"/>), under
/// <see cref="Key"/>: its effective routes in precedence order, the catch-all last, as for a fallback host.
/// </summary>
public sealed record NginxLiveRules(string Key, IReadOnlyList<NginxFallbackRule> Rules);

/// <summary>Global settings in the units nginx wants.</summary>
public sealed record NginxSettingsView(
    string ListenHttp,
    string ListenHttps,
    string StatusListen,
    string WorkerProcesses,
    int WorkerConnections,
    string ProxyConnectTimeout,
    string ProxyReadTimeout,
    string ProxySendTimeout,
    string KeepaliveTimeout,
    string ClientMaxBodySize,
    long ClientMaxBodyBytes,
    int UpstreamKeepalive,
    bool AccessLog,
    bool TrustForwardedHeaders,
    string? DnsResolver,
    int ServerNamesHashMaxSize,
    int ServerNamesHashBucketSize,
    int VariablesHashMaxSize,
    bool LuaEndpoints,
    string ModulesDirectory);

/// <summary>An upstream block with its servers (only without Lua endpoints), and how it chooses among them (null: round robin).</summary>
public sealed record NginxUpstreamView(string Name, IReadOnlyList<string> Servers)
{
    public NginxEndpointChoice? Choice { get; init; }
}

/// <summary>
/// One server block. <see cref="Certificate"/> null means plain HTTP only; <see cref="HttpsRedirect"/> set means
/// plain-HTTP requests are redirected to HTTPS.
/// </summary>
public sealed record NginxServerView(
    string Host,
    bool Wildcard,
    bool IsDefault,
    NginxCertificateView? Certificate,
    IReadOnlyList<NginxLocationView> Locations,
    NginxRedirectView? HttpsRedirect)
{
    /// <summary>The server's auth-check locations and sign-in redirects (<see cref="NginxAuthViews"/>).</summary>
    public NginxServerAuthView Auth { get; init; } = NginxServerAuthView.None;

    /// <summary>With Lua endpoints: the server's routing table when its one location is matched by Lua, or null.</summary>
    public NginxLiveRules? LiveRules { get; init; }
}

/// <summary>A scheme redirect: status, scheme, and ":PORT" (empty for the scheme's own port).</summary>
public sealed record NginxRedirectView(int Status, string Scheme, string PortSuffix);

/// <summary>
/// A server's certificate: files nginx loads with its configuration, or, with <see cref="BySni"/> (Lua endpoints, a
/// host's own server), the one the Lua picks by the client's server name during the handshake (ADR 0017).
/// </summary>
public sealed record NginxCertificateView(string CertificateFile, string KeyFile)
{
    public bool BySni { get; init; }
}

/// <summary>
/// One location. <see cref="Modifier"/> is "=", "^~", "~" (a regex, <see cref="Path"/> is then the pattern) or "" (the root prefix). Exactly one of
/// <see cref="Upstream"/>, <see cref="ExternalHost"/>, <see cref="Status"/> says what it does. With Lua endpoints an
/// upstream is named even while it has no ready endpoints (nginx then answers 503 by itself), so endpoints coming
/// and going never change nginx.conf; without, such a route is a fixed 503.
/// </summary>
public sealed record NginxLocationView(string Modifier, string Path, string? Upstream, string? ExternalHost, int? Status)
{
    /// <summary>What the location enforces besides its target (the route's policy); rendered as directives inside the location.</summary>
    public Model.Policies.RoutePolicy Policy { get; init; } = Model.Policies.RoutePolicy.None;

    /// <summary>The traffic family of <see cref="Policy"/> in nginx terms, and how the location reaches its backend.</summary>
    public NginxTrafficView Traffic { get; init; } = NginxTrafficView.None;

    /// <summary>The routing family: path rewrites applied right before proxy_pass (NginxRoutingView).</summary>
    public NginxRoutingView Routing { get; init; } = NginxRoutingView.None;

    /// <summary>Set when the location answers with a redirect (the route's action) instead of proxying.</summary>
    public NginxReturnView? Redirect { get; init; }

    /// <summary>Basic and external authentication of this location (from <see cref="Policy"/>), or null.</summary>
    public NginxLocationAuthView? Auth { get; init; }

    /// <summary>With Lua endpoints: the key under which the live file names this location's target (upstream or status).</summary>
    public string? Route { get; init; }

    /// <summary>With Lua endpoints: the key of the server's live rules, when this location is the server's only one and Lua matches the path.</summary>
    public string? RulesKey { get; init; }

    /// <summary>
    /// With Lua endpoints: the part of the route's policy the Lua applies from the live file (response headers,
    /// timeouts; ADR 0016), under <see cref="LiveKey"/>; <see cref="Policy"/> is then the rest. Null for a location
    /// without a policy or whose target is not live data.
    /// </summary>
    public NginxLivePolicy? Live { get; init; }

    /// <summary>The key the live file names this location by: its rules' or its route's.</summary>
    public string? LiveKey => RulesKey ?? Route;

    /// <summary>Without Lua endpoints: the weighted split this location proxies to (instead of one upstream).</summary>
    public NginxSplitView? Split { get; init; }

    /// <summary>With Lua endpoints: the weighted split as the live file names it ("w:UPSTREAM=WEIGHT,...").</summary>
    public string? WeightedTarget { get; init; }

    /// <summary>How the endpoint is chosen (affinity, hash, least request), or null for round robin.</summary>
    public NginxEndpointChoice? Choice { get; init; }

    /// <summary>The retry directives of the route's policy, or null.</summary>
    public NginxBalanceView? Balance => NginxBalanceView.For(Policy);

    /// <summary>The live file's form of the target: the upstream name, a weighted split, or "!STATUS".</summary>
    public string? RouteTarget => TargetText(this);

    /// <summary>An upstream name, a weighted split, or "!STATUS"; null for none of them (an external name).</summary>
    public static string? TargetText(NginxLocationView location) =>
        location.Upstream ?? location.WeightedTarget ?? (location.Status is { } code ? "!" + code.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
}
