using System.Text.Json.Nodes;

namespace Portico.TestApiServer.Patching;

/// <summary>
/// RFC 7386 JSON merge patch: objects merge recursively, null removes a member, anything else (arrays included)
/// replaces. Strategic merge patches are applied the same way (see the server's documented limitations).
/// </summary>
internal static class MergePatch
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/> and returns the result (target may be mutated).</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        MergeInto(result, patchObject);
        return result;
    }

    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject nested)
            {
                // Merge in place when the target already holds an object: re-assigning a node to its own parent throws.
                if (target[name] is JsonObject existing)
                {
                    MergeInto(existing, nested);
                }
                else
                {
                    var created = new JsonObject();
                    MergeInto(created, nested);
                    target[name] = created;
                }
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }
}
