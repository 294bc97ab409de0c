using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>HTTP basic authentication against an htpasswd in an Opaque Secret of the policy's namespace.</summary>
public sealed class BasicAuthPolicy
{
    [JsonPropertyName("secretRef")]
    public LocalObjectName? SecretRef { get; set; }

    [JsonPropertyName("realm")]
    public string? Realm { get; set; }
}
