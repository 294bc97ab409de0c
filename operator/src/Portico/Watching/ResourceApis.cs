using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Watching;

/// <summary>
/// The kinds Portico watches, bound to KubernetesClient's typed calls. Secrets are listed by field selector
/// type=kubernetes.io/tls only: the operator never sees other Secrets.
/// </summary>
internal static class ResourceApis
{
    public const string TlsSecretSelector = "type=kubernetes.io/tls";

    public static ResourceApi<V1Ingress, V1IngressList> Ingresses(IKubernetes client, string? ns) => new(
        KnownKinds.Ingress,
        (next, limit, ct) => ns is null
            ? client.NetworkingV1.ListIngressForAllNamespacesAsync(continueParameter: next, limit: limit, cancellationToken: ct)
            : client.NetworkingV1.ListNamespacedIngressAsync(ns, continueParameter: next, limit: limit, cancellationToken: ct),
        (from, timeout, onError, ct) => ns is null
            ? client.NetworkingV1.WatchListIngressForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.NetworkingV1.WatchListNamespacedIngressAsync(ns, allowWatchBookmarks: true, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static ResourceApi<V1IngressClass, V1IngressClassList> IngressClasses(IKubernetes client) => new(
        KnownKinds.IngressClass,
        (next, limit, ct) => client.NetworkingV1.ListIngressClassAsync(continueParameter: next, limit: limit, cancellationToken: ct),
        (from, timeout, onError, ct) => client.NetworkingV1.WatchListIngressClassAsync(allowWatchBookmarks: true, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static ResourceApi<V1Service, V1ServiceList> Services(IKubernetes client, string? ns) => new(
        KnownKinds.Service,
        (next, limit, ct) => ns is null
            ? client.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: next, limit: limit, cancellationToken: ct)
            : client.CoreV1.ListNamespacedServiceAsync(ns, continueParameter: next, limit: limit, cancellationToken: ct),
        (from, timeout, onError, ct) => ns is null
            ? client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.CoreV1.WatchListNamespacedServiceAsync(ns, allowWatchBookmarks: true, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static ResourceApi<V1EndpointSlice, V1EndpointSliceList> EndpointSlices(IKubernetes client, string? ns) => new(
        KnownKinds.EndpointSlice,
        (next, limit, ct) => ns is null
            ? client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(continueParameter: next, limit: limit, cancellationToken: ct)
            : client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, continueParameter: next, limit: limit, cancellationToken: ct),
        (from, timeout, onError, ct) => ns is null
            ? client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(ns, allowWatchBookmarks: true, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static ResourceApi<V1Secret, V1SecretList> TlsSecrets(IKubernetes client, string? ns) => new(
        KnownKinds.Secret,
        (next, limit, ct) => ns is null
            ? client.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: next, fieldSelector: TlsSecretSelector, limit: limit, cancellationToken: ct)
            : client.CoreV1.ListNamespacedSecretAsync(ns, continueParameter: next, fieldSelector: TlsSecretSelector, limit: limit, cancellationToken: ct),
        (from, timeout, onError, ct) => ns is null
            ? client.CoreV1.WatchListSecretForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: TlsSecretSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.CoreV1.WatchListNamespacedSecretAsync(ns, allowWatchBookmarks: true, fieldSelector: TlsSecretSelector, resourceVersion: from, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    /// <summary>Every watcher Portico runs, writing into one store channel.</summary>
    public static IReadOnlyList<IResourceWatcher> CreateWatchers(IKubernetes client, WatcherContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? ns = context.Options.Namespace;
        return
        [
            new ResourceWatcher<V1IngressClass, V1IngressClassList>(IngressClasses(client), context),
            new ResourceWatcher<V1Ingress, V1IngressList>(Ingresses(client, ns), context),
            new ResourceWatcher<V1Service, V1ServiceList>(Services(client, ns), context),
            new ResourceWatcher<V1EndpointSlice, V1EndpointSliceList>(EndpointSlices(client, ns), context),
            new ResourceWatcher<V1Secret, V1SecretList>(TlsSecrets(client, ns), context),
        ];
    }
}
