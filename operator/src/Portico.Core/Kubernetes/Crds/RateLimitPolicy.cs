using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>Requests per second per client address, per replica, with a burst allowance.</summary>
public sealed class RateLimitPolicy
{
    [JsonPropertyName("requestsPerSecond")]
    public int? RequestsPerSecond { get; set; }

    [JsonPropertyName("burst")]
    public int? Burst { get; set; }
}
