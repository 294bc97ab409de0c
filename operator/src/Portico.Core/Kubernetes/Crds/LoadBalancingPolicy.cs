using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>How an endpoint is chosen.</summary>
public sealed class LoadBalancingPolicy
{
    [JsonPropertyName("algorithm")]
    public string? Algorithm { get; set; }

    [JsonPropertyName("hashOn")]
    public HashOn? HashOn { get; set; }
}
