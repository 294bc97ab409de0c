using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>Upstream timeouts (Gateway API durations).</summary>
public sealed class TimeoutPolicy
{
    [JsonPropertyName("connect")]
    public string? Connect { get; set; }

    [JsonPropertyName("request")]
    public string? Request { get; set; }

    [JsonPropertyName("idle")]
    public string? Idle { get; set; }
}
