using k8s;
using k8s.Models;
using Portico.Core.Building;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Building;

/// <summary>Shared helpers: build a model from objects, find hosts and routes, read diagnostics.</summary>
public abstract class BuilderTestBase
{
    protected static ProxyModel Build(params IKubernetesObject<V1ObjectMeta>[] objects) => Build(new BuildOptions(), objects);

    protected static ProxyModel Build(BuildOptions options, params IKubernetesObject<V1ObjectMeta>[] objects) =>
        ModelBuilder.Build(Kube.Snapshot(objects), options);

    protected static VirtualHost? HostOf(ProxyModel model, string host) =>
        model.VirtualHosts.SingleOrDefault(v => v.Host.Value == host);

    protected static IReadOnlyList<string> RoutesOf(ProxyModel model, string host = "") =>
        HostOf(model, host)?.Routes.Select(r => $"{r.Match} -> {r.Action}").ToList() ?? [];

    protected static IReadOnlyList<string> Messages(ProxyModel model) => model.Diagnostics.Select(d => d.ToString()).ToList();

    /// <summary>A service "web" in default with port 80 and one ready endpoint 10.0.0.1:8080.</summary>
    protected static IKubernetesObject<V1ObjectMeta>[] Web(string name = "web", string ns = "default", string address = "10.0.0.1") =>
        [Kube.Service(name, ns, (null, 80)), Kube.Slice(name, null, 8080, [address], ns)];
}
