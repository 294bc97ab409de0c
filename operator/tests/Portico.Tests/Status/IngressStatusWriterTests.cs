using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Status;
using Portico.TestApiServer;
using Portico.TestSupport;

namespace Portico.Tests.Status;

public sealed class IngressStatusWriterTests : StatusTestBase
{
    private static readonly TimeSpan Resync = new IngressStatusOptions().ResyncPeriod;

    [Test]
    public async Task Served_Ingresses_get_the_static_addresses_sorted_and_without_duplicates()
    {
        Server.UpsertAll(Kube.Ingress("shop"), Kube.Ingress("blog"));
        var writer = await StartWriterAsync(StaticAddresses("lb.example.com", "192.0.2.20", "192.0.2.3", "192.0.2.20", "2001:DB8::1"));

        await HandleAsync(writer, writer.Idle, Model("shop", "blog"));

        Assert.Multiple(() =>
        {
            Assert.That(AddressesOf("shop"), Is.EqualTo(new[] { "192.0.2.20", "192.0.2.3", "2001:db8::1", "lb.example.com" }), "ordinal order: IPs, then host names");
            Assert.That(AddressesOf("blog"), Is.EqualTo(AddressesOf("shop")));
            Assert.That(Server.StatusWrites.Select(w => (w.Verb, w.Name, w.StatusCode)), Is.EquivalentTo(new[] { (ApiVerbs.Update, "shop", 200), (ApiVerbs.Update, "blog", 200) }));
            Assert.That(Metrics.StatusWrites.WithLabels("updated").Value, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Status_is_written_only_when_it_differs()
    {
        Server.UpsertAll(Kube.Ingress("shop"), WithStatus(Kube.Ingress("blog"), "192.0.2.1"));
        var writer = await StartWriterAsync(StaticAddresses("192.0.2.1"));

        await HandleAsync(writer, writer.Idle, Model("shop", "blog"));
        Assert.That(Server.StatusWrites.Select(w => w.Name), Is.EqualTo(new[] { "shop" }), "blog already had the address");

        // The same served set again (endpoint churn rebuilds often): no sync at all.
        int listsBefore = Lists();
        await HandleAsync(writer, writer.Idle, Model("shop", "blog"));
        Assert.That(Lists(), Is.EqualTo(listsBefore), "a model that serves the same Ingresses does not trigger a sync");

        // The resync reads everything again and finds nothing to write.
        await AdvanceAsync(writer.Idle, Resync);
        Assert.That((Lists(), Server.StatusWrites.Count), Is.EqualTo((listsBefore + 1, 1)));

        // Someone else changes the status: the next resync repairs it, and only it.
        Server.Upsert(WithStatus(Server.Get<V1Ingress>("default", "blog")!, "198.51.100.9"));
        await AdvanceAsync(writer.Idle, Resync);
        Assert.Multiple(() =>
        {
            Assert.That(Server.StatusWrites.Select(w => w.Name), Is.EqualTo(new[] { "shop", "blog" }));
            Assert.That(AddressesOf("blog"), Is.EqualTo(new[] { "192.0.2.1" }));
        });
    }

    [Test]
    public async Task A_newly_served_Ingress_gets_status_at_once()
    {
        Server.UpsertAll(Kube.Ingress("shop"), Kube.Ingress("blog"));
        var writer = await StartWriterAsync(StaticAddresses("192.0.2.1"));
        await HandleAsync(writer, writer.Idle, Model("shop"));

        await HandleAsync(writer, writer.Idle, Model("shop", "blog"));

        Assert.Multiple(() =>
        {
            Assert.That(AddressesOf("blog"), Is.EqualTo(new[] { "192.0.2.1" }));
            Assert.That(Server.StatusWrites.Select(w => w.Name), Is.EqualTo(new[] { "shop", "blog" }));
        });
    }

    [Test]
    public async Task Ingresses_of_other_classes_are_never_touched()
    {
        var foreign = WithStatus(Kube.Ingress("foreign", className: "nginx"), "203.0.113.7", "192.0.2.1");
        var legacyForeign = WithStatus(Kube.Ingress("legacy", className: null).WithAnnotation("kubernetes.io/ingress.class", "nginx"), "192.0.2.1");
        var unnamed = WithStatus(Kube.Ingress("unnamed", className: null), "192.0.2.1");
        Server.UpsertAll(Kube.Ingress("shop"), foreign, legacyForeign, unnamed);
        var writer = await StartWriterAsync(StaticAddresses("192.0.2.1"));

        // Even a stale model that still lists "foreign" as served must not lead to a write on it.
        await HandleAsync(writer, writer.Idle, Model("shop", "foreign"));

        Assert.Multiple(() =>
        {
            Assert.That(Server.StatusWrites.Select(w => w.Name), Is.EqualTo(new[] { "shop" }));
            Assert.That(AddressesOf("foreign"), Is.EqualTo(new[] { "203.0.113.7", "192.0.2.1" }));
            Assert.That(AddressesOf("legacy"), Is.EqualTo(new[] { "192.0.2.1" }));
            Assert.That(AddressesOf("unnamed"), Is.EqualTo(new[] { "192.0.2.1" }), "no class and not served: not provably ours");
        });
    }

    [Test]
    public async Task With_a_namespace_set_only_Ingresses_there_are_read_and_written()
    {
        Server.UpsertAll(Kube.Ingress("shop", ns: "team-a"), WithStatus(Kube.Ingress("rejected", ns: "team-b"), "192.0.2.1"));
        var writer = await StartWriterAsync(StaticAddresses("192.0.2.1") with { Namespace = "team-a" });

        await HandleAsync(writer, writer.Idle, ModelServing([new Portico.Core.Model.ObjectRef("Ingress", "team-a", "shop")], []));

        Assert.Multiple(() =>
        {
            Assert.That(AddressesOf("shop", "team-a"), Is.EqualTo(new[] { "192.0.2.1" }));
            Assert.That(AddressesOf("rejected", "team-b"), Is.EqualTo(new[] { "192.0.2.1" }), "outside the namespace: not Portico's to clean up");
            Assert.That(Server.Requests.Where(r => r.Verb == ApiVerbs.List).Select(r => r.Namespace), Is.EqualTo(new[] { "team-a" }));
        });
    }

    [Test]
    public async Task An_Ingress_of_our_class_that_is_no_longer_served_loses_our_addresses_only()
    {
        var rejected = WithStatus(Kube.Ingress("rejected"), "192.0.2.1", "203.0.113.7");
        Server.UpsertAll(Kube.Ingress("shop"), rejected);
        var writer = await StartWriterAsync(StaticAddresses("192.0.2.1"));

        await HandleAsync(writer, writer.Idle, Model("shop"));

        Assert.Multiple(() =>
        {
            Assert.That(AddressesOf("rejected"), Is.EqualTo(new[] { "203.0.113.7" }), "an address Portico does not publish is someone else's");
            Assert.That(AddressesOf("shop"), Is.EqualTo(new[] { "192.0.2.1" }));
        });
    }

    [Test]
    public async Task Nothing_is_removed_while_our_class_name_belongs_to_another_controller()
    {
        Server.UpsertAll(Kube.IngressClass("portico", controller: "example.com/other"), WithStatus(Kube.Ingress("theirs"), "192.0.2.1"));
        var writer = await StartWriterAsync(StaticAddresses("192.0.2.1"));

        await HandleAsync(writer, writer.Idle, Model());

        Assert.That((Server.StatusWrites.Count, AddressesOf("theirs").Single()), Is.EqualTo((0, "192.0.2.1")));
    }

    [Test]
    public async Task The_publish_Services_load_balancer_addresses_and_external_IPs_are_published()
    {
        var service = Kube.Service("portico", "portico-system");
        service.Spec.Type = "LoadBalancer";
        service.Spec.ExternalIPs = ["198.51.100.5"];
        service.Status = new V1ServiceStatus
        {
            LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.0.2.10" }, new V1LoadBalancerIngress { Hostname = "lb.example.com" }] },
        };
        Server.UpsertAll(service, Kube.Ingress("shop"));
        var writer = await StartWriterAsync(new IngressStatusOptions { PublishService = new NamespacedName("portico-system", "portico") });

        await HandleAsync(writer, writer.Idle, Model("shop"));

        Assert.That(AddressesOf("shop"), Is.EqualTo(new[] { "192.0.2.10", "198.51.100.5", "lb.example.com" }));
    }

    [Test]
    public async Task A_missing_publish_Service_writes_nothing_and_is_retried_until_it_exists()
    {
        Server.Upsert(WithStatus(Kube.Ingress("shop"), "192.0.2.99"));
        var writer = await StartWriterAsync(new IngressStatusOptions { PublishService = new NamespacedName("portico-system", "portico") });

        await HandleAsync(writer, writer.Idle, Model("shop"));
        Assert.Multiple(() =>
        {
            Assert.That(Server.StatusWrites, Is.Empty, "a missing Service is not \"no addresses\": status stays as it is");
            Assert.That(Metrics.StatusSyncs.WithLabels("failed").Value, Is.EqualTo(1));
        });

        var service = Kube.Service("portico", "portico-system");
        service.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.0.2.10" }] } };
        Server.Upsert(service);
        await AdvanceAsync(writer.Idle, TimeSpan.FromSeconds(1));

        Assert.That(AddressesOf("shop"), Is.EqualTo(new[] { "192.0.2.10" }));
    }

    [Test]
    public async Task A_conflicting_concurrent_update_is_read_again_and_the_write_retried()
    {
        Server.Upsert(Kube.Ingress("shop"));
        bool interfered = false;
        using var interfering = new InterferingHandler(request =>
        {
            if (!interfered && request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.EndsWith("/ingresses/shop/status", StringComparison.Ordinal))
            {
                // Someone else updates the Ingress between the writer's list and its write: the write's resourceVersion is stale.
                interfered = true;
                Server.Upsert(Server.Get<V1Ingress>("default", "shop")!.WithAnnotation("touched", "yes"));
            }
        });
        using var client = new k8s.Kubernetes(Server.CreateClientConfiguration(), interfering);
        var writer = await StartWriterAsync(StaticAddresses("192.0.2.1"), client: client);

        await HandleAsync(writer, writer.Idle, Model("shop"));

        var shop = Server.Get<V1Ingress>("default", "shop")!;
        Assert.Multiple(() =>
        {
            Assert.That(Server.StatusWrites.Select(w => w.StatusCode), Is.EqualTo(new[] { 409, 200 }));
            Assert.That(Server.Requests.Count(r => r.Verb == ApiVerbs.Get && r.Name == "shop"), Is.EqualTo(1), "read again after the conflict");
            Assert.That(AddressesOf("shop"), Is.EqualTo(new[] { "192.0.2.1" }));
            Assert.That(shop.Metadata.Annotations["touched"], Is.EqualTo("yes"), "the concurrent change is kept");
            Assert.That(Metrics.StatusWrites.WithLabels("conflict").Value, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Conflicts_are_retried_a_bounded_number_of_times_then_the_sync_is_retried_later()
    {
        Server.Upsert(Kube.Ingress("shop"));
        Server.Faults.FailNextRequests(5, 409, resource: "ingresses", verb: ApiVerbs.Update);
        var writer = await StartWriterAsync(StaticAddresses("192.0.2.1"));

        await HandleAsync(writer, writer.Idle, Model("shop"));
        Assert.Multiple(() =>
        {
            Assert.That(Server.StatusWrites.Select(w => w.StatusCode), Is.EqualTo(Enumerable.Repeat(409, 5)));
            Assert.That(Metrics.StatusSyncs.WithLabels("failed").Value, Is.EqualTo(1));
        });

        await AdvanceAsync(writer.Idle, TimeSpan.FromSeconds(1));
        Assert.That(AddressesOf("shop"), Is.EqualTo(new[] { "192.0.2.1" }));
    }

    [Test]
    public async Task Only_the_leader_writes_and_it_stops_when_its_term_ends()
    {
        Server.UpsertAll(Kube.Ingress("shop"), Kube.Ingress("blog"));
        using var leadership = new ManualLeadership();
        var writer = await StartWriterAsync(StaticAddresses("192.0.2.1"), leadership);

        writer.OnModel(Model("shop"));
        leadership.Lead();
        await IdleAsync(writer.Idle, 1);
        Assert.That(Server.StatusWrites.Select(w => w.Name), Is.EqualTo(new[] { "shop" }), "the model given before the term is used when it starts");

        leadership.StepDown();
        writer.OnModel(Model("shop", "blog"));
        Time.Advance(Resync);
        Assert.That(writer.Idle.Count, Is.EqualTo(1), "no work outside a term");

        leadership.Lead();
        await IdleAsync(writer.Idle, 2);
        Assert.That(Server.StatusWrites.Select(w => w.Name), Is.EqualTo(new[] { "shop", "blog" }));
    }

    private int Lists() => Server.Requests.Count(r => r.Verb == ApiVerbs.List && r.Resource == "ingresses");

    /// <summary>Runs an action before each request leaves the client, to change the server's state at an exact moment.</summary>
    private sealed class InterferingHandler(Action<HttpRequestMessage> before) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            before(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
