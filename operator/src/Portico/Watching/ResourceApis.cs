using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Watching;

/// <summary>
/// Binds each registered kind to client calls: built-ins to KubernetesClient's typed calls, custom resources to its
/// generic custom-objects path. What is called comes from the kind's entry: its resource, whether it is namespaced
/// (a namespaced kind is listed in one namespace when run.namespace is set), and its field selector (none today;
/// Secrets are all watched and only the referenced ones kept, see SecretKeeper).
/// </summary>
internal static class ResourceApis
{
    /// <summary>The typed calls KubernetesClient has for the built-in kinds Portico may register.</summary>
    private static readonly FrozenDictionary<Type, Func<IKubernetes, KindDefinition, string?, ResourceApi>> Typed =
        new Dictionary<Type, Func<IKubernetes, KindDefinition, string?, ResourceApi>>
        {
            [typeof(V1Ingress)] = (client, kind, ns) => Bind<V1Ingress, V1IngressList>(
                kind,
                (next, limit, ct) => ns is null
                    ? client.NetworkingV1.ListIngressForAllNamespacesAsync(continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct)
                    : client.NetworkingV1.ListNamespacedIngressAsync(ns, continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct),
                (from, timeout, onError, ct) => ns is null
                    ? client.NetworkingV1.WatchListIngressForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
                    : client.NetworkingV1.WatchListNamespacedIngressAsync(ns, allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)),
            [typeof(V1IngressClass)] = (client, kind, _) => Bind<V1IngressClass, V1IngressClassList>(
                kind,
                (next, limit, ct) => client.NetworkingV1.ListIngressClassAsync(continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct),
                (from, timeout, onError, ct) => client.NetworkingV1.WatchListIngressClassAsync(allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)),
            [typeof(V1Service)] = (client, kind, ns) => Bind<V1Service, V1ServiceList>(
                kind,
                (next, limit, ct) => ns is null
                    ? client.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct)
                    : client.CoreV1.ListNamespacedServiceAsync(ns, continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct),
                (from, timeout, onError, ct) => ns is null
                    ? client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
                    : client.CoreV1.WatchListNamespacedServiceAsync(ns, allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)),
            [typeof(V1EndpointSlice)] = (client, kind, ns) => Bind<V1EndpointSlice, V1EndpointSliceList>(
                kind,
                (next, limit, ct) => ns is null
                    ? client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct)
                    : client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct),
                (from, timeout, onError, ct) => ns is null
                    ? client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
                    : client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(ns, allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)),
            [typeof(V1Secret)] = (client, kind, ns) => Bind<V1Secret, V1SecretList>(
                kind,
                (next, limit, ct) => ns is null
                    ? client.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct)
                    : client.CoreV1.ListNamespacedSecretAsync(ns, continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct),
                (from, timeout, onError, ct) => ns is null
                    ? client.CoreV1.WatchListSecretForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
                    : client.CoreV1.WatchListNamespacedSecretAsync(ns, allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)),
        }.ToFrozenDictionary();

    /// <summary>The calls for <paramref name="kind"/>, in namespace <paramref name="ns"/> (null: all) when the kind is namespaced.</summary>
    public static ResourceApi For(IKubernetes client, KindDefinition kind, string? ns)
    {
        ArgumentNullException.ThrowIfNull(kind);
        string? scope = kind.Namespaced ? ns : null;
        return kind.Api switch
        {
            KindApi.CustomObjects => CustomObjects(client, kind, scope),
            _ when Typed.TryGetValue(kind.Type, out var bind) => bind(client, kind, scope),
            _ => throw new NotSupportedException($"KubernetesClient has no typed calls bound for {kind}; register it with Api = {nameof(KindApi.CustomObjects)}"),
        };
    }

    /// <summary>One watcher per registered kind, all writing into one store channel.</summary>
    public static IReadOnlyList<IResourceWatcher> CreateWatchers(IKubernetes client, WatcherContext context, KindRegistry kinds)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(kinds);
        return [.. kinds.Kinds.Select(kind => new ResourceWatcher(For(client, kind, context.Options.Namespace), context))];
    }

    /// <summary>
    /// A custom resource through <c>/apis/{group}/{version}/[namespaces/{ns}/]{resource}</c>: pages and watch events
    /// arrive as JSON and are read into the kind's type by its definition.
    /// </summary>
    private static ResourceApi CustomObjects(IKubernetes client, KindDefinition kind, string? ns) => new(
        kind,
        async (next, limit, ct) =>
        {
            var list = ns is not null
                ? await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(kind.Group, kind.Version, ns, kind.Resource, continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct)
                : kind.Namespaced
                    ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<JsonElement>(kind.Group, kind.Version, kind.Resource, continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct)
                    : await client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(kind.Group, kind.Version, kind.Resource, continueParameter: next, fieldSelector: kind.FieldSelector, limit: limit, cancellationToken: ct);
            return ReadPage(kind, list);
        },
        (from, timeout, onError, ct) => ReadEvents(
            kind,
            ns is not null
                ? client.CustomObjects.WatchListNamespacedCustomObjectAsync(kind.Group, kind.Version, ns, kind.Resource, allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
                : kind.Namespaced
                    ? client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(kind.Group, kind.Version, kind.Resource, allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
                    : client.CustomObjects.WatchListClusterCustomObjectAsync(kind.Group, kind.Version, kind.Resource, allowWatchBookmarks: true, fieldSelector: kind.FieldSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)));

    private static ResourcePage ReadPage(KindDefinition kind, JsonElement list)
    {
        var items = new List<IKubernetesObject<V1ObjectMeta>>();
        if (list.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                items.Add(kind.Deserialize(item));
            }
        }

        string? continueToken = null;
        string? resourceVersion = null;
        if (list.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            continueToken = metadata.TryGetProperty("continue", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            resourceVersion = metadata.TryGetProperty("resourceVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }

        return new ResourcePage(items, continueToken, resourceVersion);
    }

    private static async IAsyncEnumerable<(WatchEventType, IKubernetesObject<V1ObjectMeta>)> ReadEvents(
        KindDefinition kind, IAsyncEnumerable<(WatchEventType, object)> events)
    {
        await foreach (var (type, item) in events)
        {
            // The client reads an untyped event object as a JsonElement; anything else goes through JSON once more.
            var json = item is JsonElement element ? element : KubernetesJson.Deserialize<JsonElement>(KubernetesJson.Serialize(item));
            yield return (type, kind.Deserialize(json));
        }
    }

    private static ResourceApi Bind<T, TList>(
        KindDefinition kind,
        Func<string?, int, CancellationToken, Task<TList>> list,
        Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IItems<T>, IMetadata<V1ListMeta> => new(
        kind,
        async (next, limit, ct) =>
        {
            var page = await list(next, limit, ct);
            return new ResourcePage([.. page.Items.Cast<IKubernetesObject<V1ObjectMeta>>()], page.Metadata?.ContinueProperty, page.Metadata?.ResourceVersion);
        },
        (from, timeout, onError, ct) => Erase(watch(from, timeout, onError, ct), ct));

    private static async IAsyncEnumerable<(WatchEventType, IKubernetesObject<V1ObjectMeta>)> Erase<T>(
        IAsyncEnumerable<(WatchEventType, T)> events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        await foreach (var (type, item) in events.WithCancellation(cancellationToken))
        {
            yield return (type, item);
        }
    }
}
