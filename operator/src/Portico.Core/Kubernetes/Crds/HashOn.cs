using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>What RequestHash hashes: one of a header, a cookie or the client address.</summary>
public sealed class HashOn
{
    [JsonPropertyName("header")]
    public string? Header { get; set; }

    [JsonPropertyName("cookie")]
    public string? Cookie { get; set; }

    [JsonPropertyName("sourceIP")]
    public bool? SourceIp { get; set; }
}
