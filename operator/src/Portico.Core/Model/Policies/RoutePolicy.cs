using System.Security.Cryptography;
using System.Text;

namespace Portico.Core.Model.Policies;

/// <summary>
/// What one route enforces besides its action, resolved by the builder from the IngressPolicies and ingress-nginx
/// annotations of the route's Ingress (policy fields win over annotations). Every renderer (nginx, the Lua live
/// routing, Envoy) translates exactly this; null members are "proxy default". References are resolved here: basic
/// auth carries its credentials, external auth its upstream; nothing in it names a Kubernetes object.
/// </summary>
public sealed record RoutePolicy
{
    public static RoutePolicy None { get; } = new();

    public HeaderMutation? RequestHeaders { get; init; }

    public HeaderMutation? ResponseHeaders { get; init; }

    public CorsRule? Cors { get; init; }

    /// <summary>Access control: a request must come from an allowed network (when any is listed) and from no denied one; otherwise 403.</summary>
    public IpAccessRule? IpAccess { get; init; }

    /// <summary>Per client address, per replica; over the rate: 429.</summary>
    public RateLimitRule? RateLimit { get; init; }

    /// <summary>Concurrent connections per client address, per replica (ingress-nginx limit-connections); over: 429.</summary>
    public int? LimitConnections { get; init; }

    /// <summary>How the path is rewritten before it reaches the backend.</summary>
    public RouteRewrite? Rewrite { get; init; }

    public TimeoutRule? Timeouts { get; init; }

    public RetryRule? Retries { get; init; }

    /// <summary>Access control: HTTP basic authentication against resolved credentials; without valid ones: 401.</summary>
    public BasicAuthCredentials? BasicAuth { get; init; }

    /// <summary>Access control: an auth subrequest; its 2xx lets the request pass, 401/403 are returned, anything else is 500.</summary>
    public ExternalAuthTarget? ExternalAuth { get; init; }

    /// <summary>Largest request body in bytes (0: no limit); over: 413.</summary>
    public long? MaxRequestBodyBytes { get; init; }

    public AffinityRule? SessionAffinity { get; init; }

    public LoadBalancingRule? LoadBalancing { get; init; }

    /// <summary>Plain-HTTP requests of this route get this redirect (policy httpsRedirect, force-ssl-redirect).</summary>
    public RedirectAction? HttpsRedirect { get; init; }

    /// <summary>How the proxy speaks to the backend (ingress-nginx backend-protocol); null is plain HTTP/1.1.</summary>
    public BackendProtocol? BackendProtocol { get; init; }

    /// <summary>ingress-nginx proxy-buffering / proxy-buffer-size / proxy-request-buffering.</summary>
    public BufferingRule? Buffering { get; init; }

    /// <summary>True when nothing is set.</summary>
    public bool IsEmpty => Equals(None);

    /// <summary>True when the route controls who may pass.</summary>
    public bool CarriesAccessControl => IpAccess is not null || BasicAuth is not null || ExternalAuth is not null;

    /// <summary>
    /// A short stable name for this policy's content: equal policies have equal keys, a changed policy a new key. The
    /// live routing puts it into route keys, so a route whose policy changed is never switched live before the
    /// workers run the new policy.
    /// Internal, not public: a record prints its public members, and printing is what the key hashes (a public Key
    /// would hash itself, without end).
    /// </summary>
    internal string Key => IsEmpty ? string.Empty : Keys.GetValue(this, static p => "p" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(p.ToString())))[..16]);

    // Printing a policy is costly, and renderers ask for the key of every location of a policy's routes: each
    // instance's key is computed once. By reference, so a copy made with `with` gets its own.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RoutePolicy, string> Keys = [];
}
