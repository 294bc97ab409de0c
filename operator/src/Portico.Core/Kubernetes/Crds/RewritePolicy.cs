using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>Rewrites the matched path prefix before proxying.</summary>
public sealed class RewritePolicy
{
    [JsonPropertyName("replacePrefixMatch")]
    public string? ReplacePrefixMatch { get; set; }
}
