using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>An object in the same namespace, by name.</summary>
public sealed class LocalObjectName
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }
}
