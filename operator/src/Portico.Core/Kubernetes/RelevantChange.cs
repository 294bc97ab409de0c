using System.Text.Json;
using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// Decides whether a new version of an object changes anything Portico reads. The same resourceVersion is never a
/// change; otherwise everything but status, managedFields, resourceVersion and generation is compared, so our own
/// status writes (and anyone else's) do not trigger a rebuild. The same instance is never a change either: local mode
/// lists every object again after each file change, and the unchanged files' objects are the very instances kept
/// (comparing them by content would serialize the whole world for each edit).
/// </summary>
public static class RelevantChange
{
    public static bool Between(IKubernetesObject<V1ObjectMeta> before, IKubernetesObject<V1ObjectMeta> after)
    {
        if (ReferenceEquals(before, after))
        {
            return false;
        }

        string? beforeVersion = before.Metadata.ResourceVersion;
        if (beforeVersion is not null && beforeVersion == after.Metadata.ResourceVersion)
        {
            return false;
        }

        return !Fingerprint(before).AsSpan().SequenceEqual(Fingerprint(after));
    }

    private static byte[] Fingerprint(IKubernetesObject<V1ObjectMeta> value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(value))!.AsObject();
        node.Remove("status");
        if (node["metadata"] is System.Text.Json.Nodes.JsonObject metadata)
        {
            metadata.Remove("resourceVersion");
            metadata.Remove("managedFields");
            metadata.Remove("generation");
        }

        return JsonSerializer.SerializeToUtf8Bytes(node);
    }
}
