using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>Retries on another endpoint.</summary>
public sealed class RetryPolicy
{
    [JsonPropertyName("attempts")]
    public int? Attempts { get; set; }

    [JsonPropertyName("perTryTimeout")]
    public string? PerTryTimeout { get; set; }

    [JsonPropertyName("on")]
    public IList<string>? On { get; set; }
}
