using System.Text.Json;
using Portico.TestApiServer.Json;

namespace Portico.TestApiServer.Storage;

/// <summary>One version of one object, immutable: the JSON served for it and its position in the store.</summary>
internal sealed record StoredObject(string Key, string? Namespace, string Name, long ResourceVersion, JsonElement Json)
{
    public string? Uid => JsonObjects.GetString(Json, "metadata", "uid");

    /// <summary>The object's labels (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Labels
    {
        get
        {
            if (!Json.TryGetProperty("metadata", out var metadata) || !metadata.TryGetProperty("labels", out var labels)
                || labels.ValueKind != JsonValueKind.Object)
            {
                return new Dictionary<string, string>();
            }

            return labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
        }
    }
}
