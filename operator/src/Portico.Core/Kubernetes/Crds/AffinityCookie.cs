using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>The affinity cookie: its name and lifetime.</summary>
public sealed class AffinityCookie
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("ttl")]
    public string? Ttl { get; set; }
}
