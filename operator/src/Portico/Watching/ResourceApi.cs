using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Watching;

/// <summary>
/// One kind's calls, bound from its <see cref="KindDefinition"/> (resource, scope, field selector): a list page
/// (continue token, limit) and a watch (from a resourceVersion). Typed calls and the custom-objects path look the
/// same from here, so one watcher serves every kind.
/// </summary>
internal sealed record ResourceApi(
    KindDefinition Kind,
    Func<string?, int, CancellationToken, Task<ResourcePage>> ListPage,
    Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, IKubernetesObject<V1ObjectMeta> Item)>> Watch);
