using Portico.Core.Kubernetes;
using Portico.TestSupport;
using Portico.TestSupport.Kinds;
using Portico.TestSupport.Nginx;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.E2E.Tests;

/// <summary>
/// `portico run` with an optional kind whose resource the API server does not serve (a CRD not installed): the
/// operator still becomes ready and serves traffic, portico_kind_available says the kind is missing, and once the
/// resource is installed the kind is listed and watched like any other.
/// </summary>
[TestFixture]
public sealed class OptionalKindTests
{
    private static readonly TimeSpan Appearing = TimeSpan.FromSeconds(60);
    private const string WidgetsPath = "/apis/test.portico.dev/v1/widgets";

    [Test]
    public async Task An_optional_kind_that_is_not_installed_leaves_the_operator_ready_and_serving_until_it_appears()
    {
        await using var backend = await TestBackend.StartAsync("blue");
        await using var api = await Api.StartAsync();
        api.Upsert(Kube.IngressClass("portico"));
        api.Upsert(Kube.Service("shop", "default", (null, 80)));
        api.Upsert(Kube.Slice("shop", null, backend.Port, ["127.0.0.1"]));
        api.Upsert(Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "shop", 80));
        string directory = NginxProcess.CreateTemporaryDirectory();
        try
        {
            string shared = Path.Combine(directory, "shared");
            var ports = OperatorPorts.Take();
            var kinds = TestKinds.WithWidgets(KindRequirement.Optional);
            await using var running = await OperatorUnderTest.StartAsync(ports, shared, Kubeconfig.Write(directory, api.BaseAddress), kinds: kinds);
            await using var sidecar = new Sidecar(shared);
            await sidecar.StartWhenConfiguredAsync();

            Assert.That(await Eventually.TrueAsync(() => running.Readiness.IsReady), Is.True, "ready without the optional kind");
            var response = await Eventually.ValueAsync(() => ProxyClient.TryGetAsync(ports.Http, "shop.test", "/"), r => r.Backend == "blue");
            Assert.That(response.Backend, Is.EqualTo("blue"), "and serving: " + response);
            Assert.That(running.Metrics.KindAvailable.WithLabels("Widget").Value, Is.Zero);
            Assert.That(running.Metrics.KindAvailable.WithLabels(KnownKinds.Ingress).Value, Is.EqualTo(1));
            Assert.That(api.Requests.Any(r => r.Path == WidgetsPath && r.StatusCode == 404), Is.True);

            // The CRD is installed: the operator finds it on its next look, lists it and watches it.
            api.ServeCustomResource<Widget>(TestKinds.Widget.Group, TestKinds.Widget.Version, TestKinds.Widget.Resource, TestKinds.Widget.Kind, TestKinds.Widget.Namespaced);
            api.Upsert(Widget.Create("listed", "red"));
            await api.WaitForRequestAsync(r => r.Path == WidgetsPath && r.QueryValue("watch") == "true" && r.StatusCode == 200, Appearing);
            Assert.That(running.Metrics.KindAvailable.WithLabels("Widget").Value, Is.EqualTo(1));
            Assert.That(await Eventually.TrueAsync(() => running.Metrics.Objects.WithLabels("Widget").Value == 1), Is.True, "listed into the store");

            api.Upsert(Widget.Create("watched", "blue"));
            Assert.That(await Eventually.TrueAsync(() => running.Metrics.Objects.WithLabels("Widget").Value == 2), Is.True, "watched from then on");
            Assert.That((await ProxyClient.TryGetAsync(ports.Http, "shop.test", "/")).Backend, Is.EqualTo("blue"), "still serving");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
