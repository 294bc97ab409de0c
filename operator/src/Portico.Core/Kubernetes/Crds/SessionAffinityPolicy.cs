using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>Keeps a client on one endpoint.</summary>
public sealed class SessionAffinityPolicy
{
    [JsonPropertyName("cookie")]
    public AffinityCookie? Cookie { get; set; }
}
