using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>Headers to add (appended), set (replaced) or remove, as the Gateway API's HTTPHeaderFilter.</summary>
public sealed class HeaderModifier
{
    [JsonPropertyName("add")]
    public IList<HeaderValue>? Add { get; set; }

    [JsonPropertyName("set")]
    public IList<HeaderValue>? Set { get; set; }

    [JsonPropertyName("remove")]
    public IList<string>? Remove { get; set; }
}
