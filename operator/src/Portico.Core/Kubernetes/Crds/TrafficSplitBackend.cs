using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>One weighted backend of a split.</summary>
public sealed class TrafficSplitBackend
{
    [JsonPropertyName("service")]
    public ServicePortRef? Service { get; set; }

    [JsonPropertyName("weight")]
    public int? Weight { get; set; }
}
