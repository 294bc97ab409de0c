using k8s;
using k8s.Models;

namespace Portico.Watching;

/// <summary>One kind's calls through KubernetesClient: a list page (continue token, limit) and a watch (from a resourceVersion).</summary>
internal sealed record ResourceApi<T, TList>(
    string Kind,
    Func<string?, int, CancellationToken, Task<TList>> ListPage,
    Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> Watch)
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IItems<T>, IMetadata<V1ListMeta>;
