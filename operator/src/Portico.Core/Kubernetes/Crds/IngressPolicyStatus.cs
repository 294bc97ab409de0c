using k8s.Models;
using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>What Portico says about the policy: conditions Accepted, ResolvedRefs, Conflicted.</summary>
public sealed class IngressPolicyStatus
{
    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}
