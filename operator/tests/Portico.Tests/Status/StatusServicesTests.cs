using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Building;
using Portico.Core.Model;
using Portico.Leadership;
using Portico.Observability;
using Portico.Options;
using Portico.Status;
using Portico.TestSupport;

namespace Portico.Tests.Status;

/// <summary>The whole leader-only side on a model the real builder made from the server's objects.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class StatusServicesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_hostile_object_gets_an_Event_while_everything_else_keeps_working()
    {
        await using var server = await TestApiServer.TestApiServer.StartAsync();
        using var client = server.CreateClient();
        var hostile = Kube.Ingress("hostile")
            .WithPath("evil.test;\n}\nserver { listen 80; return 200 pwned; }", "/", "Prefix", "web", 80)
            .WithPath("fine.test", "/", "Prefix", "web", 80);
        server.UpsertAll(Kube.IngressClass("portico"), Kube.Service("web", ports: (null, 80)), Kube.Slice("web", null, 8080, ["10.0.0.1"]),
            Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "web", 80), hostile);
        var options = new PorticoOptions();
        options.Status.Addresses.Add("192.0.2.1");
        options.LeaderElection.Enabled = false;
        var resolved = OptionsResolver.Resolve(options);
        var metrics = new PorticoMetrics(Prometheus.Metrics.NewCustomRegistry());
        using var services = new StatusServices(client, resolved, "replica-a", "portico-system", TimeProvider.System, NullLoggerFactory.Instance, metrics);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => services.RunAsync(stop.Token));

        var model = ModelBuilder.Build(
            Kube.Snapshot([.. server.List<V1IngressClass>(), .. server.List<V1Service>(), .. server.List<V1EndpointSlice>(), .. server.List<V1Ingress>()]),
            resolved.Build);
        foreach (var listener in services.Listeners)
        {
            listener.OnModel(model);
        }

        var rejection = await WaitForEventAsync(server, "hostile");
        await server.WaitUntilAsync(() => Addresses(server, "shop") == "192.0.2.1" && Addresses(server, "hostile") == "192.0.2.1", Timeout);
        await stop.CancelAsync();
        await run.WaitAsync(Timeout);

        Assert.Multiple(() =>
        {
            Assert.That(services.Leadership, Is.InstanceOf<AlwaysLeader>());
            Assert.That(metrics.Leader.Value, Is.EqualTo(1));
            Assert.That((rejection.Type, rejection.Reason), Is.EqualTo(("Warning", "Rejected")));
            Assert.That(rejection.Message, Does.StartWith("spec.rules[0].host: "));
            Assert.That(rejection.InvolvedObject.Uid, Is.EqualTo(server.Get<V1Ingress>("default", "hostile")!.Metadata.Uid));
            Assert.That(server.List<Corev1Event>().Select(e => e.InvolvedObject.Name), Is.EqualTo(new[] { "hostile" }), "nothing else has anything to report");
            Assert.That(model.VirtualHosts.Select(v => v.Host.Value), Is.SupersetOf(new[] { "shop.test", "fine.test" }), "the rest is served");
            Assert.That(model.ServedIngresses.Select(i => i.Name), Is.EqualTo(new[] { "hostile", "shop" }), "a rejected rule does not take its Ingress down");
        });
    }

    private static string Addresses(TestApiServer.TestApiServer server, string name) =>
        string.Join(',', server.Get<V1Ingress>("default", name)?.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip) ?? []);

    private static async Task<Corev1Event> WaitForEventAsync(TestApiServer.TestApiServer server, string about)
    {
        Corev1Event? found = null;
        await server.WaitUntilAsync(() => (found = server.List<Corev1Event>().FirstOrDefault(e => e.InvolvedObject.Name == about)) is not null, Timeout);
        return found!;
    }
}
