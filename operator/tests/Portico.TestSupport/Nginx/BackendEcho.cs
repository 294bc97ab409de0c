using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portico.TestSupport.Nginx;

/// <summary>
/// What a <see cref="TestBackend"/> received, as it answers it (JSON, camelCase): its own name, the request line
/// and the headers a proxy is expected to set. Headers the request did not carry are null.
/// </summary>
public sealed record BackendEcho
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public required string Backend { get; init; }

    public required string Method { get; init; }

    /// <summary>The request target exactly as received (path and query, undecoded).</summary>
    public required string Target { get; init; }

    /// <summary>"HTTP/1.1", "HTTP/1.0".</summary>
    public required string Protocol { get; init; }

    public string? Host { get; init; }

    public string? Connection { get; init; }

    public string? XForwardedFor { get; init; }

    public string? XForwardedProto { get; init; }

    public string? XForwardedHost { get; init; }

    public string? XForwardedPort { get; init; }

    public string? XRealIp { get; init; }

    /// <summary>The backend's id of the TCP connection the request came on: equal ids mean a reused (keep-alive) connection.</summary>
    public required string ConnectionId { get; init; }

    /// <summary>Every request header, names in lower case (several values joined with ", ").</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static BackendEcho Parse(string json) =>
        JsonSerializer.Deserialize<BackendEcho>(json, JsonOptions) ?? throw new JsonException("empty backend answer");
}
