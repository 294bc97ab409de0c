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

namespace Portico.Tests.Leadership;

/// <summary>
/// Two operator instances against one test API server, each with its own client, metrics and leadership, as two
/// replicas would run: one leads and writes status, the other waits; when the leader stops, the other takes over.
/// Real time here (the client's elector reads the system clock); every wait is bounded.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class LeaseLeadershipTests
{
    private const string LeaseNamespace = "portico-system";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly List<Replica> replicas = [];
    private TestApiServer.TestApiServer server = null!;

    [SetUp]
    public async Task StartServerAsync() => server = await TestApiServer.TestApiServer.StartAsync();

    [TearDown]
    public async Task StopAsync()
    {
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }

        await server.DisposeAsync();
    }

    [Test]
    public async Task One_replica_leads_and_writes_status_and_the_other_takes_over_when_it_stops()
    {
        server.UpsertAll(Kube.Ingress("shop"), Kube.Ingress("blog"));

        // A lease far longer than the wait below: the take-over can only come from the leader releasing the Lease.
        var options = Resolve(leaseDuration: "60s", renewDeadline: "40s", retryPeriod: "200ms");
        var a = Start("replica-a", options);
        await a.Services.Leadership.WaitForTermAsync(CancellationToken.None).WaitAsync(Timeout);
        var b = Start("replica-b", options);
        a.Give(Model("shop"));
        b.Give(Model("shop"));

        await server.WaitForObjectAsync<V1Ingress>("default", "shop", HasStatus, Timeout);
        await a.Services.StatusWriter.Idle.WaitUntilAsync(() => a.Metrics.StatusWrites.WithLabels("updated").Value == 1, Timeout);
        await server.WaitUntilAsync(() => ((LeaseLeadership)b.Services.Leadership).ObservedLeader == "replica-a", Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(server.Get<V1Lease>(LeaseNamespace, "portico-leader")!.Spec.HolderIdentity, Is.EqualTo("replica-a"));
            Assert.That((a.Services.Leadership.IsLeader, b.Services.Leadership.IsLeader), Is.EqualTo((true, false)));
            Assert.That((a.Metrics.Leader.Value, b.Metrics.Leader.Value), Is.EqualTo((1, 0)));
            Assert.That(a.Metrics.StatusWrites.WithLabels("updated").Value, Is.EqualTo(1));
            Assert.That(b.Metrics.StatusSyncs.WithLabels("ok").Value + b.Metrics.StatusSyncs.WithLabels("failed").Value, Is.Zero, "a follower does not sync");
        });

        await a.StopAsync();
        await b.Services.Leadership.WaitForTermAsync(CancellationToken.None).WaitAsync(Timeout);
        b.Give(Model("shop", "blog"));
        await server.WaitForObjectAsync<V1Ingress>("default", "blog", HasStatus, Timeout);
        await b.Services.StatusWriter.Idle.WaitUntilAsync(() => b.Metrics.StatusWrites.WithLabels("updated").Value == 1, Timeout);

        var lease = server.Get<V1Lease>(LeaseNamespace, "portico-leader")!;
        Assert.Multiple(() =>
        {
            Assert.That(lease.Spec.HolderIdentity, Is.EqualTo("replica-b"));
            Assert.That(lease.Spec.LeaseTransitions, Is.EqualTo(1));
            Assert.That((a.Metrics.Leader.Value, b.Metrics.Leader.Value), Is.EqualTo((0, 1)));
            Assert.That(b.Metrics.StatusWrites.WithLabels("updated").Value, Is.EqualTo(1), "b wrote blog; shop already had its status");
            Assert.That(a.Metrics.StatusWrites.WithLabels("updated").Value, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Only_the_leader_records_Events_and_the_next_one_does_not_duplicate_them()
    {
        var options = Resolve(leaseDuration: "60s", renewDeadline: "40s", retryPeriod: "200ms");
        var rejected = new Diagnostic(Severity.Error, new ObjectRef("Ingress", "default", "shop"), "spec.rules[0].host", "is not valid");
        var a = Start("replica-a", options);
        await a.Services.Leadership.WaitForTermAsync(CancellationToken.None).WaitAsync(Timeout);
        var b = Start("replica-b", options);
        a.Give(Model([], rejected));
        b.Give(Model([], rejected));
        await server.WaitUntilAsync(() => server.List<Corev1Event>().Count == 1, Timeout);
        await a.Services.EventRecorder.Idle.WaitUntilAsync(() => a.Metrics.Events.WithLabels("created").Value == 1, Timeout);

        await a.StopAsync();
        await b.Services.Leadership.WaitForTermAsync(CancellationToken.None).WaitAsync(Timeout);
        await server.WaitUntilAsync(() => server.List<Corev1Event>().SingleOrDefault()?.Count == 2, Timeout);
        await b.Services.EventRecorder.Idle.WaitUntilAsync(() => b.Metrics.Events.WithLabels("updated").Value == 1, Timeout);

        Assert.Multiple(() =>
        {
            Assert.That(server.List<Corev1Event>(), Has.Count.EqualTo(1), "the new leader found the Event by its name");
            Assert.That(a.Metrics.Events.WithLabels("created").Value, Is.EqualTo(1));
            Assert.That(b.Metrics.Events.WithLabels("updated").Value, Is.EqualTo(1));
            Assert.That(b.Metrics.Events.WithLabels("created").Value, Is.Zero);
        });
    }

    [Test]
    public async Task A_leader_that_cannot_renew_its_Lease_ends_its_term()
    {
        var a = Start("replica-a", Resolve(leaseDuration: "3s", renewDeadline: "1s", retryPeriod: "200ms"));
        var term = await a.Services.Leadership.WaitForTermAsync(CancellationToken.None).WaitAsync(Timeout);

        // Another holder appears in the Lease (a partition healed in its favour): renewals fail until the deadline.
        var lease = server.Get<V1Lease>(LeaseNamespace, "portico-leader")!;
        lease.Spec.HolderIdentity = "replica-z";
        lease.Spec.RenewTime = DateTime.UtcNow;
        server.Upsert(lease);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (term.Register(ended.SetResult))
        {
            await ended.Task.WaitAsync(Timeout);
        }

        Assert.Multiple(() =>
        {
            Assert.That(a.Services.Leadership.IsLeader, Is.False);
            Assert.That(a.Metrics.Leader.Value, Is.Zero);
        });
    }

    private static bool HasStatus(V1Ingress ingress) => ingress.Status?.LoadBalancer?.Ingress?.SingleOrDefault()?.Ip == "192.0.2.1";

    private static ResolvedOptions Resolve(string leaseDuration, string renewDeadline, string retryPeriod)
    {
        var options = new PorticoOptions();
        options.Status.Addresses.Add("192.0.2.1");
        options.LeaderElection.LeaseNamespace = LeaseNamespace;
        options.LeaderElection.LeaseDuration = leaseDuration;
        options.LeaderElection.RenewDeadline = renewDeadline;
        options.LeaderElection.RetryPeriod = retryPeriod;
        return OptionsResolver.Resolve(options);
    }

    /// <summary>Serves the named Ingresses, with the desired statuses the builder computes from the server's Ingresses now.</summary>
    private ProxyModel Model(IEnumerable<string> served, params Diagnostic[] diagnostics)
    {
        ObjectRef[] ingresses = [.. served.Select(name => new ObjectRef("Ingress", "default", name))];
        var statuses = DesiredStatusBuilder.Build(Kube.Snapshot([.. server.List<V1Ingress>()]), new BuildOptions(), ingresses, diagnostics);
        return new([], [], [], null, null, [.. diagnostics], [.. ingresses], statuses);
    }

    private ProxyModel Model(params string[] served) => Model(served, []);

    private Replica Start(string identity, ResolvedOptions options)
    {
        var replica = new Replica(server.CreateClient(), options, identity);
        replicas.Add(replica);
        return replica;
    }

    /// <summary>One operator instance: its own client, metrics, status services and run loop.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly Kubernetes client;
        private readonly CancellationTokenSource stop = new();
        private readonly Task run;
        private bool stopped;

        public Replica(Kubernetes client, ResolvedOptions options, string identity)
        {
            this.client = client;
            Metrics = new PorticoMetrics(Prometheus.Metrics.NewCustomRegistry());
            Services = new StatusServices(client, options, identity, LeaseNamespace, TimeProvider.System, NullLoggerFactory.Instance, Metrics);
            run = Task.Run(() => Services.RunAsync(stop.Token));
        }

        public PorticoMetrics Metrics { get; }

        public StatusServices Services { get; }

        public void Give(ProxyModel model)
        {
            foreach (var listener in Services.Listeners)
            {
                listener.OnModel(model);
            }
        }

        /// <summary>A graceful stop, as on SIGTERM: everything ends and the Lease is released.</summary>
        public async Task StopAsync()
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
            await stop.CancelAsync();
            await run.WaitAsync(Timeout);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            Services.Dispose();
            client.Dispose();
            stop.Dispose();
        }
    }
}
