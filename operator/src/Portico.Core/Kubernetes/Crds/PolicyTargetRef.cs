using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>The Ingress a policy applies to, in the policy's own namespace; sectionName narrows it to one rule host.</summary>
public sealed class PolicyTargetRef
{
    [JsonPropertyName("group")]
    public string? Group { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("sectionName")]
    public string? SectionName { get; set; }
}
