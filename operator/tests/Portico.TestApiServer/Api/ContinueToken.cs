using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;

namespace Portico.TestApiServer.Api;

/// <summary>
/// The opaque continue token, shaped like the real server's: base64url of {"v":"meta.k8s.io/v1","rv":N,"start":key}.
/// It pins the list's snapshot revision, so every page comes from the same consistent state.
/// </summary>
internal static class ContinueToken
{
    public static string Encode(long resourceVersion, string lastKey)
    {
        var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = resourceVersion, ["start"] = lastKey + "\u0000" }.ToJsonString();
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>The snapshot revision and the key after which the next page starts; 400 when the token is not ours.</summary>
    public static (long ResourceVersion, string After) Decode(string token)
    {
        try
        {
            var json = JsonNode.Parse(Base64Url.DecodeFromChars(token))!.AsObject();
            if (json["v"]?.GetValue<string>() != "meta.k8s.io/v1")
            {
                throw new FormatException("unknown version");
            }

            var start = json["start"]!.GetValue<string>();
            return (json["rv"]!.GetValue<long>(), start.TrimEnd('\u0000'));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}
