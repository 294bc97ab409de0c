using k8s;
using k8s.Models;

namespace Portico.Core.Manifests;

/// <summary>A typed Kubernetes object read from a manifest file, with where it was defined.</summary>
public sealed record ManifestObject(IKubernetesObject<V1ObjectMeta> Value, string File, long Line)
{
    public string Where => $"{File}:{Line}";
}
