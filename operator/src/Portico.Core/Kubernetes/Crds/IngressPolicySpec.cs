using k8s.Models;
using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>The desired policy: what it targets and every feature it sets (each optional). Field names follow the Gateway API filters.</summary>
public sealed class IngressPolicySpec
{
    [JsonPropertyName("targetRef")]
    public PolicyTargetRef? TargetRef { get; set; }

    [JsonPropertyName("requestHeaders")]
    public HeaderModifier? RequestHeaders { get; set; }

    [JsonPropertyName("responseHeaders")]
    public HeaderModifier? ResponseHeaders { get; set; }

    [JsonPropertyName("cors")]
    public CorsPolicy? Cors { get; set; }

    [JsonPropertyName("ipAllowList")]
    public IList<string>? IpAllowList { get; set; }

    [JsonPropertyName("ipDenyList")]
    public IList<string>? IpDenyList { get; set; }

    [JsonPropertyName("rateLimit")]
    public RateLimitPolicy? RateLimit { get; set; }

    [JsonPropertyName("rewrite")]
    public RewritePolicy? Rewrite { get; set; }

    [JsonPropertyName("redirect")]
    public RedirectPolicy? Redirect { get; set; }

    [JsonPropertyName("timeouts")]
    public TimeoutPolicy? Timeouts { get; set; }

    [JsonPropertyName("retries")]
    public RetryPolicy? Retries { get; set; }

    [JsonPropertyName("basicAuth")]
    public BasicAuthPolicy? BasicAuth { get; set; }

    [JsonPropertyName("externalAuth")]
    public ExternalAuthPolicy? ExternalAuth { get; set; }

    [JsonPropertyName("maxRequestBodySize")]
    public IntOrString? MaxRequestBodySize { get; set; }

    [JsonPropertyName("sessionAffinity")]
    public SessionAffinityPolicy? SessionAffinity { get; set; }

    [JsonPropertyName("loadBalancing")]
    public LoadBalancingPolicy? LoadBalancing { get; set; }

    [JsonPropertyName("trafficSplit")]
    public IList<TrafficSplitBackend>? TrafficSplit { get; set; }

    [JsonPropertyName("httpsRedirect")]
    public bool? HttpsRedirect { get; set; }
}
