namespace Portico.Core.Model.Policies;

/// <summary>
/// What an Ingress's ingress-nginx annotations say that <see cref="PolicySpec"/> does not hold: regex paths and
/// rewrites, the backend protocol, whole-URL redirects, app-root, www redirects, canaries, next-upstream retries,
/// buffering and connection limits. Null (or false) for what the annotations leave alone.
/// </summary>
public sealed record IngressNginxRouting
{
    public static IngressNginxRouting None { get; } = new();

    /// <summary>The paths of the Ingress are regular expressions (use-regex, or a rewrite-target with captures).</summary>
    public bool UseRegex { get; init; }

    public RewriteTarget? Rewrite { get; init; }

    public BackendProtocol? BackendProtocol { get; init; }

    public RedirectTarget? Redirect { get; init; }

    /// <summary>Requests for "/" are redirected (302) to this path.</summary>
    public string? AppRoot { get; init; }

    /// <summary>Requests for www.host go to host and the other way round (301/308), for the hosts of the Ingress.</summary>
    public bool FromToWwwRedirect { get; init; }

    public CanaryRule? Canary { get; init; }

    public NextUpstreamRule? NextUpstream { get; init; }

    public bool? ProxyBuffering { get; init; }

    public long? ProxyBufferSizeBytes { get; init; }

    public bool? ProxyRequestBuffering { get; init; }

    /// <summary>Concurrent connections per client address.</summary>
    public int? LimitConnections { get; init; }

    /// <summary>The format of the basic-auth Secret, when basic auth is set.</summary>
    public BasicAuthSecretFormat? BasicAuthFormat { get; init; }

    public bool IsEmpty => Equals(None);
}
