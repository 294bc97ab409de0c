using System.Text.Json.Serialization;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>An auth subrequest to a URL or a Service (as oauth2-proxy deployments use).</summary>
public sealed class ExternalAuthPolicy
{
    [JsonPropertyName("url")]
    public string? Url { get; set; }

    [JsonPropertyName("service")]
    public ServicePortRef? Service { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("forwardRequestHeaders")]
    public IList<string>? ForwardRequestHeaders { get; set; }

    [JsonPropertyName("forwardResponseHeaders")]
    public IList<string>? ForwardResponseHeaders { get; set; }

    [JsonPropertyName("signinURL")]
    public string? SigninUrl { get; set; }
}
