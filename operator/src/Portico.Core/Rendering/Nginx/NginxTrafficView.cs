namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The traffic family of a location's policy in nginx terms (templates/nginx/_policy_traffic.scriban): HTTPS redirect,
/// IP access, rate and connection limits, body size, timeouts, buffering, request and response headers, CORS and
/// the backend protocol. Every string is a validated value from the model or a name computed here; templates escape
/// them again. <see cref="Pass"/> and <see cref="Scheme"/> say how the location reaches its backend.
/// </summary>
public sealed record NginxTrafficView
{
    /// <summary>A location without a policy: plain HTTP/1.1 proxying, nothing else.</summary>
    public static NginxTrafficView None { get; } = new();

    /// <summary>"proxy_pass" or "grpc_pass".</summary>
    public string Pass { get; init; } = "proxy_pass";

    /// <summary>The upstream URL scheme: "http", "https", "grpc", "grpcs".</summary>
    public string Scheme { get; init; } = "http";

    /// <summary>The directive prefix of the module that proxies ("proxy" or "grpc"): its timeouts and headers.</summary>
    public string Module { get; init; } = "proxy";

    /// <summary>TLS to the backend: send SNI (https, grpcs).</summary>
    public bool SslServerName { get; init; }

    /// <summary>Plain-HTTP requests of this route are redirected (the host as a whole does not redirect).</summary>
    public NginxRedirectView? HttpsRedirect { get; init; }

    /// <summary>Networks refused first, then the allowed ones; <see cref="DenyAll"/> closes the rest when an allow list exists.</summary>
    public IReadOnlyList<string> Deny { get; init; } = [];

    public IReadOnlyList<string> Allow { get; init; } = [];

    public bool DenyAll { get; init; }

    /// <summary>Counted per client address and per policy: the value of $portico_limit_scope (the policy key).</summary>
    public string? LimitScope { get; init; }

    /// <summary>The limit_req zone of this route's rate, and its burst.</summary>
    public string? RateZone { get; init; }

    public int RateBurst { get; init; }

    public int? LimitConnections { get; init; }

    public string? MaxBodySize { get; init; }

    public string? ConnectTimeout { get; init; }

    public string? ReadTimeout { get; init; }

    public string? SendTimeout { get; init; }

    /// <summary>"on" / "off" / null (global default).</summary>
    public string? Buffering { get; init; }

    public string? BufferSize { get; init; }

    public string? RequestBuffering { get; init; }

    /// <summary>
    /// True when the location sets request headers: nginx then drops every proxy_set_header of the http level, so
    /// the template repeats them here, except the names in <see cref="ReplacedHeaders"/>.
    /// </summary>
    public bool SetsRequestHeaders { get; init; }

    /// <summary>Lowercase names of the request headers the policy sets, adds or removes (the template leaves these out of the repeated http-level ones).</summary>
    public IReadOnlyList<string> ReplacedHeaders { get; init; } = [];

    /// <summary>Request headers with a fixed value ("" removes the header).</summary>
    public IReadOnlyList<NginxHeaderView> RequestHeaders { get; init; } = [];

    /// <summary>Request headers appended to the client's: the value is an http-level map variable (without "$").</summary>
    public IReadOnlyList<NginxHeaderView> AppendedRequestHeaders { get; init; } = [];

    /// <summary>Backend response headers hidden (those the policy sets or removes).</summary>
    public IReadOnlyList<string> HiddenResponseHeaders { get; init; } = [];

    /// <summary>Response headers added to every response ("always"), the backend's own set ones hidden first.</summary>
    public IReadOnlyList<NginxHeaderView> ResponseHeaders { get; init; } = [];

    public NginxCorsView? Cors { get; init; }

    public bool IsEmpty => Equals(None);
}

/// <summary>A header name and its value (a literal, or a variable name where the field says so).</summary>
public sealed record NginxHeaderView(string Name, string Value);

/// <summary>
/// A location's CORS answer. The location sets <c>$portico_cors</c> to <see cref="Id"/>, which selects its rule's
/// entries in the http-level maps all rules share (<see cref="NginxCorsMapView"/>): $portico_cors_origin is the
/// Allow-Origin value for the request's Origin ("" for a foreign one), $portico_cors_preflight is "1" for a preflight
/// from an allowed origin, $portico_cors_allowed ("true") and $portico_cors_expose are empty for a foreign origin.
/// </summary>
public sealed record NginxCorsView(string Id, string Methods, string? Headers, long? MaxAgeSeconds, bool Credentials, bool Expose, bool VaryOrigin);

/// <summary>
/// One CORS rule's entries in the shared maps, keyed by "ID ORIGIN": exact origins answer themselves, wildcard
/// origins (anchored regexes, <see cref="OriginPatterns"/> already prefixed with the id) answer the request's Origin,
/// "*" answers "*" to any request with an Origin. One map for all rules, not one per rule: nginx allocates and
/// clears megabytes of hash arrays for every map block, which made 2,000 maps three quarters of `nginx -t`.
/// </summary>
public sealed record NginxCorsMapView(string Id, bool AnyOrigin, IReadOnlyList<string> Origins, IReadOnlyList<string> OriginPatterns, bool Credentials, string? Expose);

/// <summary>An http-level map appending <see cref="Value"/> to the client's header (read from $SOURCE), or giving it alone.</summary>
public sealed record NginxHeaderAppendView(string Variable, string Source, string Value);

/// <summary>The limit_req zone of one rate (requests per second).</summary>
public sealed record NginxRateZoneView(string Name, int RequestsPerSecond);

/// <summary>http-level blocks of the traffic family (templates/nginx/_http_traffic.scriban).</summary>
public sealed record NginxHttpTrafficView(
    IReadOnlyList<NginxRateZoneView> RateZones,
    bool ConnectionZone,
    IReadOnlyList<NginxCorsMapView> CorsMaps,
    IReadOnlyList<NginxHeaderAppendView> HeaderAppends)
{
    public static NginxHttpTrafficView None { get; } = new([], false, [], []);

    public const string ConnectionZoneName = "portico_connections";
}
