using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.Tests.Watching;

/// <summary>Serves a registered kind on the test API server from the same definition the operator watches it by.</summary>
internal static class ApiServerKinds
{
    public static void ServeFor<T>(this Api api, KindDefinition<T> kind)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        api.ServeCustomResource<T>(kind.Group, kind.Version, kind.Resource, kind.Kind, kind.Namespaced);
}
