using k8s.Models;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.E2E.Tests;

/// <summary>
/// Two replicas, each with its own nginx, against one API server: both route traffic, one leader publishes status
/// and records Events for rejected objects, and when it stops the other takes over. A hostile Ingress gets an
/// Event naming its field while every other Ingress keeps working.
/// </summary>
[TestFixture]
public sealed class LeadershipTests
{
    private const string PublishedAddress = "203.0.113.7";
    private readonly List<(OperatorUnderTest Operator, Sidecar Sidecar, OperatorPorts Ports)> _replicas = [];
    private TestBackend _backend = null!;
    private Api _api = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _backend = await TestBackend.StartAsync("app");
        _api = await Api.StartAsync();
        _api.Upsert(Kube.IngressClass("portico"));
        _api.Upsert(Kube.Service("app", "default", (null, 80)));
        _api.Upsert(Kube.Slice("app", null, _backend.Port, ["127.0.0.1"], name: "app-1"));
        _api.Upsert(Kube.Ingress("good").WithPath("good.test", "/", "Prefix", "app", 80));
        _directory = NginxProcess.CreateTemporaryDirectory();
        string kubeconfig = Kubeconfig.Write(_directory, _api.BaseAddress);
        for (int i = 0; i < 2; i++)
        {
            var ports = OperatorPorts.Take();
            string shared = Path.Combine(_directory, $"shared-{i}");
            var replica = await OperatorUnderTest.StartAsync(ports, shared, kubeconfig, options =>
            {
                options.Status.Addresses.Add(PublishedAddress);
                options.LeaderElection.LeaseDuration = "2s";
                options.LeaderElection.RenewDeadline = "1500ms";
                options.LeaderElection.RetryPeriod = "250ms";
            });
            var sidecar = new Sidecar(shared);
            _replicas.Add((replica, sidecar, ports));
            await sidecar.StartWhenConfiguredAsync();
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        foreach (var (replica, sidecar, _) in _replicas)
        {
            await replica.DisposeAsync();
            await sidecar.DisposeAsync();
        }

        await _api.DisposeAsync();
        await _backend.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    [Order(1)]
    public async Task Every_replica_routes_and_exactly_one_leads()
    {
        foreach (var (_, _, ports) in _replicas)
        {
            var response = await Eventually.ValueAsync(() => ProxyClient.TryGetAsync(ports.Http, "good.test", "/"), r => r.Backend == "app");
            Assert.That(response.Backend, Is.EqualTo("app"), response.ToString());
        }

        Assert.That(await Eventually.TrueAsync(() => _replicas.Count(r => r.Operator.IsLeader) == 1), Is.True, "one leader");
        Assert.That(await Eventually.TrueAsync(() => StatusOf("good") == PublishedAddress), Is.True, $"status published: {StatusOf("good")}");
    }

    [Test]
    [Order(2)]
    public async Task A_hostile_Ingress_gets_an_Event_and_everything_else_keeps_working()
    {
        _api.Upsert(Kube.Ingress("hostile").WithPath("evil.test;\n}", "/", "Prefix", "app", 80).WithPath("ok.test", "/", "Prefix", "app", 80));

        Assert.That(await Eventually.TrueAsync(() => EventsFor("hostile").Any()), Is.True, "an Event on the hostile Ingress");
        var hostileEvent = EventsFor("hostile").First();
        Assert.That(hostileEvent.Message, Does.Contain("spec.rules[0].host"));
        Assert.That(hostileEvent.Type, Is.EqualTo("Warning"));
        foreach (var (_, _, ports) in _replicas)
        {
            Assert.That((await ProxyClient.TryGetAsync(ports.Http, "good.test", "/")).Backend, Is.EqualTo("app"));
        }
    }

    [Test]
    [Order(3)]
    public async Task When_the_leader_stops_the_other_replica_takes_over_the_status()
    {
        var leader = _replicas.Single(r => r.Operator.IsLeader);
        var follower = _replicas.Single(r => !r.Operator.IsLeader);
        await leader.Operator.DisposeAsync();
        _replicas.Remove(leader);
        await leader.Sidecar.DisposeAsync();

        Assert.That(await Eventually.TrueAsync(() => follower.Operator.IsLeader), Is.True, "the follower leads");
        _api.Upsert(Kube.Ingress("later").WithPath("later.test", "/", "Prefix", "app", 80));
        Assert.That(await Eventually.TrueAsync(() => StatusOf("later") == PublishedAddress), Is.True, $"the new leader publishes: {StatusOf("later")}");
        Assert.That((await Eventually.ValueAsync(() => ProxyClient.TryGetAsync(follower.Ports.Http, "later.test", "/"), r => r.Backend == "app")).Backend, Is.EqualTo("app"));
    }

    private string? StatusOf(string ingress) =>
        _api.Get<V1Ingress>("default", ingress)?.Status?.LoadBalancer?.Ingress is { Count: > 0 } addresses ? string.Join(",", addresses.Select(a => a.Ip ?? a.Hostname)) : null;

    private IEnumerable<Corev1Event> EventsFor(string name) =>
        _api.List<Corev1Event>().Where(e => e.InvolvedObject?.Name == name && e.InvolvedObject.Kind == "Ingress");
}
