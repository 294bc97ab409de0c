using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>Cross-origin resource sharing: preflight answers and response headers for the listed origins.</summary>
public sealed class CorsPolicy
{
    [JsonPropertyName("allowOrigins")]
    public IList<string>? AllowOrigins { get; set; }

    [JsonPropertyName("allowMethods")]
    public IList<string>? AllowMethods { get; set; }

    [JsonPropertyName("allowHeaders")]
    public IList<string>? AllowHeaders { get; set; }

    [JsonPropertyName("exposeHeaders")]
    public IList<string>? ExposeHeaders { get; set; }

    [JsonPropertyName("allowCredentials")]
    public bool? AllowCredentials { get; set; }

    [JsonPropertyName("maxAge")]
    public string? MaxAge { get; set; }
}
