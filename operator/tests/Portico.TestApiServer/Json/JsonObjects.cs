using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portico.TestApiServer.Json;

/// <summary>
/// Stored objects are immutable <see cref="JsonElement"/>s (safe to read from any thread); writes work on a
/// private mutable <see cref="JsonObject"/> copy and freeze it again.
/// </summary>
internal static class JsonObjects
{
    /// <summary>Writer options for everything served: quotes and &lt; &gt; as they are, as the real server writes them.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonElement Freeze(JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>A private, mutable copy of a stored object.</summary>
    public static JsonObject Thaw(JsonElement element) => JsonNode.Parse(element.GetRawText())!.AsObject();

    /// <summary>The string at a property path, or null when any step is missing or not an object.</summary>
    public static string? GetString(JsonElement element, params ReadOnlySpan<string> path)
    {
        foreach (var step in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(step, out element))
            {
                return null;
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
            _ => null,
        };
    }

    /// <summary>The metadata object of a mutable object, created when missing.</summary>
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? GetString(JsonObject obj, string property) =>
        obj[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A copy of a stored object with another metadata.resourceVersion (DELETED events carry the delete's).</summary>
    public static JsonElement WithResourceVersion(JsonElement element, long resourceVersion)
    {
        var obj = Thaw(element);
        Metadata(obj)["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        return Freeze(obj);
    }

    /// <summary>
    /// Writes a list item as the real server does for built-in types: without kind and apiVersion (the list
    /// carries them), which a client must cope with.
    /// </summary>
    public static void WriteListItem(Utf8JsonWriter writer, JsonElement item)
    {
        writer.WriteStartObject();
        foreach (var property in item.EnumerateObject())
        {
            if (property.NameEquals("kind") || property.NameEquals("apiVersion"))
            {
                continue;
            }

            property.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>Structural equality, ignoring metadata.resourceVersion (a write that changes nothing else is a no-op).</summary>
    public static bool SameContent(JsonElement left, JsonElement right)
    {
        var a = Thaw(left);
        var b = Thaw(right);
        Metadata(a).Remove("resourceVersion");
        Metadata(b).Remove("resourceVersion");
        return JsonNode.DeepEquals(a, b);
    }
}
