using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>A Service of the same namespace and one of its ports, by number.</summary>
public sealed class ServicePortRef
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }
}
