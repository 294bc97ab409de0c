namespace Portico.Core.Rendering.Envoy;

// What one route's RoutePolicy becomes in Envoy (docs/policies.md, "Envoy"). Computed by EnvoyPolicyViewBuilder;
// the templates only print these records. Filters (CORS, RBAC, local rate limit, buffer, basic auth, ext_authz) sit
// once in the HTTP connection manager's chain, disabled, and a route turns on the ones it needs through
// typed_per_filter_config (a FilterConfig wrapping the filter's per-route message).

/// <summary>
/// One route's policy. Route-action parts: <see cref="Timeout"/> (always printed, "0s" is none), <see cref="IdleTimeout"/>,
/// retries, hash policies (path rewrites are the route's EnvoyRewriteView). Header mutations. Per-route filter configs: null or empty when unused.
/// </summary>
internal sealed record EnvoyRoutePolicyView
{
    public required string Timeout { get; init; }

    public required string IdleTimeout { get; init; }

    /// <summary>A request header "host" set or added by the policy: Envoy cannot add Host as a header, it rewrites it.</summary>
    public string? HostRewrite { get; init; }

    public EnvoyRetryView? Retry { get; init; }

    public IReadOnlyList<EnvoyHashPolicyView> HashPolicies { get; init; } = [];

    public IReadOnlyList<EnvoyHeaderView> RequestHeadersToAdd { get; init; } = [];

    public IReadOnlyList<string> RequestHeadersToRemove { get; init; } = [];

    public IReadOnlyList<EnvoyHeaderView> ResponseHeadersToAdd { get; init; } = [];

    public IReadOnlyList<string> ResponseHeadersToRemove { get; init; } = [];

    public EnvoyCorsView? Cors { get; init; }

    public EnvoyRbacView? Rbac { get; init; }

    public EnvoyRateLimitView? RateLimit { get; init; }

    /// <summary>The buffer filter's per-route limit in bytes; 0 turns it off for the route (no limit); null keeps the global limit.</summary>
    public long? MaxRequestBytes { get; init; }

    /// <summary>The htpasswd text (SHA1 hashes only) of the route's basic auth; null without basic auth.</summary>
    public string? BasicAuthUsers { get; init; }

    /// <summary>The name of the ext_authz filter (one per auth target) this route turns on.</summary>
    public string? ExtAuthzFilter { get; init; }

    /// <summary>The route's typed_per_filter_config entries, in the chain's order: filter name and what the template prints for it.</summary>
    public IReadOnlyList<EnvoyFilterConfigView> FilterConfigs
    {
        get
        {
            var configs = new List<EnvoyFilterConfigView>();
            if (Rbac is not null)
            {
                configs.Add(new("envoy.filters.http.rbac", "rbac"));
            }

            if (RateLimit is not null)
            {
                configs.Add(new("envoy.filters.http.local_ratelimit", "local_ratelimit"));
            }

            if (Cors is not null)
            {
                configs.Add(new("envoy.filters.http.cors", "cors"));
            }

            if (BasicAuthUsers is not null)
            {
                configs.Add(new("envoy.filters.http.basic_auth", "basic_auth"));
            }

            if (ExtAuthzFilter is not null)
            {
                configs.Add(new(ExtAuthzFilter, "ext_authz"));
            }

            if (MaxRequestBytes is { } max)
            {
                configs.Add(new("envoy.filters.http.buffer", max == 0 ? "buffer_off" : "buffer"));
            }

            return configs;
        }
    }
}

/// <summary>One typed_per_filter_config entry: the chain filter's name and which config the template prints.</summary>
internal sealed record EnvoyFilterConfigView(string Name, string Kind);

/// <summary>A route retry_policy: <see cref="RetryOn"/> is Envoy's comma list; <see cref="PerTryTimeout"/> a duration or null.</summary>
internal sealed record EnvoyRetryView(string RetryOn, int NumRetries, string? PerTryTimeout);

/// <summary>A route hash_policy: <see cref="Kind"/> "cookie" (with <see cref="Ttl"/>: Envoy creates the cookie), "header" or "source_ip".</summary>
internal sealed record EnvoyHashPolicyView(string Kind, string? Name, string? Ttl);

/// <summary>
/// A CorsPolicy. Each origin is matched exactly (ignoring case) or, for "*" and "*." wildcards, by an anchored RE2
/// regex (<see cref="EnvoyOriginView"/>). Lists are Envoy's comma-separated strings; null is unset.
/// </summary>
internal sealed record EnvoyCorsView(
    IReadOnlyList<EnvoyOriginView> Origins,
    string? AllowMethods,
    string? AllowHeaders,
    string? ExposeHeaders,
    string? MaxAge,
    bool AllowCredentials);

/// <summary>One allowed origin: exactly one of <see cref="Exact"/> and <see cref="Regex"/>.</summary>
internal sealed record EnvoyOriginView(string? Exact, string? Regex);

/// <summary>
/// An RBAC ALLOW policy on the TCP peer address (direct_remote_ip, nginx's $remote_addr): allowed when the address is in
/// <see cref="Allow"/> (when any is listed) and not in <see cref="Deny"/>; otherwise 403.
/// </summary>
internal sealed record EnvoyRbacView(IReadOnlyList<EnvoyCidrView> Allow, IReadOnlyList<EnvoyCidrView> Deny);

internal sealed record EnvoyCidrView(string Address, int PrefixLength);

/// <summary>A local rate limit token bucket: <see cref="MaxTokens"/>, <see cref="TokensPerFill"/> each <see cref="FillInterval"/>.</summary>
internal sealed record EnvoyRateLimitView(int MaxTokens, int TokensPerFill, string FillInterval);

/// <summary>
/// An ext_authz filter of the chain: one per distinct auth target, named <see cref="Name"/>, disabled unless a route
/// turns it on. The check is an HTTP request to <see cref="Cluster"/> with <see cref="PathPrefix"/> before the
/// request's path.
/// </summary>
internal sealed record EnvoyExtAuthzView(
    string Name,
    string Uri,
    string Cluster,
    string PathPrefix,
    IReadOnlyList<string> AllowedRequestHeaders,
    IReadOnlyList<string> AllowedUpstreamHeaders);

/// <summary>
/// What the HTTP connection manager's chain holds besides the router; each policy filter is there only when some route
/// uses it. The buffer filter is there when the global limit is set (enabled, <see cref="BufferBytes"/>) or a route
/// sets one (then disabled by default).
/// </summary>
internal sealed record EnvoyFilterChainView(
    bool Cors,
    bool Rbac,
    bool RateLimit,
    bool BasicAuth,
    IReadOnlyList<EnvoyExtAuthzView> ExtAuthz,
    bool Buffer,
    bool BufferDisabled,
    long BufferBytes)
{
    public static EnvoyFilterChainView None { get; } = new(false, false, false, false, [], false, false, 0);
}

/// <summary>
/// What a cluster needs besides its endpoints, when a route's policy asks for it: a connect timeout (null: the global
/// one), the load balancer, TLS to the backend, HTTP/2 (gRPC). Routes with other needs than the default get their own
/// copy of the upstream's cluster, named by a hash of these options.
/// </summary>
internal sealed record EnvoyClusterOptions(string? ConnectTimeout, string LbPolicy, bool Tls, bool Http2)
{
    public static EnvoyClusterOptions Default { get; } = new(null, "ROUND_ROBIN", false, false);
}
