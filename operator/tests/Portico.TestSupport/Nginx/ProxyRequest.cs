namespace Portico.TestSupport.Nginx;

/// <summary>
/// One request to a proxy on 127.0.0.1:<see cref="Port"/>. <see cref="Host"/> is sent as the Host header exactly as
/// given ("a.test", "A.Test", "a.test:8080"); <see cref="PathAndQuery"/> is sent exactly as given (no normalization).
/// With <see cref="Sni"/> set the connection is TLS with that server name ("" sends no SNI at all).
/// </summary>
public sealed record ProxyRequest(int Port, string Host, string PathAndQuery = "/")
{
    public string Method { get; init; } = "GET";

    public string? Sni { get; init; }

    /// <summary>A request body (sent with Content-Length), or none.</summary>
    public string? Body { get; init; }

    /// <summary>Extra request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{Method} {(Sni is null ? "http" : "https")}://[{Host}]{PathAndQuery} (port {Port}{(Sni is null ? string.Empty : $", SNI \"{Sni}\"")})";
}
