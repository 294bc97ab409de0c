using k8s;
using k8s.Models;

namespace Portico.Watching;

/// <summary>One page of a list: its objects, the token for the next page (null or empty: last) and the list's resourceVersion.</summary>
internal sealed record ResourcePage(IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Items, string? Continue, string? ResourceVersion);
