namespace Portico.Core.Model.Policies;

/// <summary>
/// Everything one policy (an IngressPolicy, or an Ingress's ingress-nginx annotations) sets, parsed into typed
/// values; null for what it leaves alone. Basic auth names its Secret here; the builder loads and checks it.
/// </summary>
public sealed record PolicySpec
{
    public HeaderMutation? RequestHeaders { get; init; }

    public HeaderMutation? ResponseHeaders { get; init; }

    public CorsRule? Cors { get; init; }

    public IpAccessRule? IpAccess { get; init; }

    public RateLimitRule? RateLimit { get; init; }

    /// <summary>The path that replaces the matched prefix.</summary>
    public string? RewritePrefix { get; init; }

    public RedirectRule? Redirect { get; init; }

    public TimeoutRule? Timeouts { get; init; }

    public RetryRule? Retries { get; init; }

    public BasicAuthRule? BasicAuth { get; init; }

    public ExternalAuthRule? ExternalAuth { get; init; }

    public long? MaxRequestBodyBytes { get; init; }

    public AffinityRule? SessionAffinity { get; init; }

    public LoadBalancingRule? LoadBalancing { get; init; }

    public EquatableArray<WeightedBackend>? TrafficSplit { get; init; }

    public bool? HttpsRedirect { get; init; }

    /// <summary>True when the policy controls who may pass: if it cannot be honoured, its target must deny, never open.</summary>
    public bool CarriesAccessControl => IpAccess is not null || BasicAuth is not null || ExternalAuth is not null;
}
