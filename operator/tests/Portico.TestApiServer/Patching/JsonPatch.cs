using System.Globalization;
using System.Text.Json.Nodes;

namespace Portico.TestApiServer.Patching;

/// <summary>
/// RFC 6902 JSON patch (add, remove, replace, move, copy, test) with RFC 6901 pointers. A failing operation throws
/// <see cref="FormatException"/>; the caller turns it into the real server's 422.
/// </summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op)
            {
                throw new FormatException("a JSON patch operation must be an object");
            }

            var name = Text(op, "op");
            var path = Text(op, "path");
            switch (name)
            {
                case "add":
                    document = Add(document, path, Value(op));
                    break;
                case "remove":
                    document = Remove(document, path, out _);
                    break;
                case "replace":
                    document = Remove(document, path, out _);
                    document = Add(document, path, Value(op));
                    break;
                case "move":
                    document = Remove(document, Text(op, "from"), out var moved);
                    document = Add(document, path, moved);
                    break;
                case "copy":
                    document = Add(document, path, Get(document, Text(op, "from"))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path), Value(op)))
                    {
                        throw new FormatException($"testing value {path} failed");
                    }

                    break;
                default:
                    throw new FormatException($"Unexpected kind: {name}");
            }
        }

        return document;
    }

    private static string Text(JsonObject op, string member) =>
        op[member] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new FormatException($"operation missing \"{member}\" string");

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw new FormatException("operation missing \"value\"");

    private static List<string> Parse(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new FormatException($"JSON pointer must start with '/': {pointer}");
        }

        return pointer[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    private static JsonNode? Get(JsonNode? node, string pointer) => Resolve(node, Parse(pointer), pointer);

    private static JsonNode? Resolve(JsonNode? node, IEnumerable<string> tokens, string pointer)
    {
        foreach (var token in tokens)
        {
            node = node switch
            {
                JsonObject obj when obj.TryGetPropertyValue(token, out var child) => child,
                JsonArray array when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => throw new FormatException($"path {pointer} does not exist"),
            };
        }

        return node;
    }

    private static JsonNode Add(JsonNode document, string pointer, JsonNode? value)
    {
        var tokens = Parse(pointer);
        if (tokens.Count == 0)
        {
            return value ?? throw new FormatException("cannot replace the whole document with null");
        }

        var parent = Resolve(document, tokens[..^1], pointer);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw new FormatException($"cannot add at {pointer}");
        }

        return document;
    }

    private static JsonNode Remove(JsonNode document, string pointer, out JsonNode? removed)
    {
        var tokens = Parse(pointer);
        if (tokens.Count == 0)
        {
            throw new FormatException("cannot remove the whole document");
        }

        var parent = Resolve(document, tokens[..^1], pointer);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out removed):
                obj.Remove(last);
                break;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count:
                removed = array[index];
                array.RemoveAt(index);
                break;
            default:
                throw new FormatException($"path {pointer} does not exist");
        }

        return document;
    }
}
