using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>One header name and value.</summary>
public sealed class HeaderValue
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }
}
