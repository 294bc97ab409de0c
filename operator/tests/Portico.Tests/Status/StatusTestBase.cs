using System.Collections.Immutable;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portico.Core.Building;
using Portico.Core.Model;
using Portico.Observability;
using Portico.Status;
using Portico.TestSupport;

namespace Portico.Tests.Status;

/// <summary>
/// A fresh test API server, a real KubernetesClient, a fake clock and metrics of their own for every test, and
/// background workers that are stopped (bounded) afterwards. Nothing here sleeps: tests wait on the server's state
/// or on a worker's <see cref="IdleSignal"/>, and move time only by advancing the fake clock.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public abstract class StatusTestBase
{
    /// <summary>Every wait in these tests is bounded by this.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly List<(CancellationTokenSource Stop, Task Run)> workers = [];

    protected TestApiServer.TestApiServer Server { get; private set; } = null!;

    protected Kubernetes Client { get; private set; } = null!;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    protected PorticoMetrics Metrics { get; } = new(Prometheus.Metrics.NewCustomRegistry());

    protected static BuildOptions Build { get; } = new();

    [SetUp]
    public async Task StartServerAsync()
    {
        Server = await TestApiServer.TestApiServer.StartAsync();
        Client = Server.CreateClient();
    }

    [TearDown]
    public async Task StopAsync()
    {
        foreach (var (stop, run) in workers)
        {
            await stop.CancelAsync();
            await run.WaitAsync(Timeout);
            stop.Dispose();
        }

        workers.Clear();

        Client?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Runs a background loop until the test ends.</summary>
    protected void Start(Func<CancellationToken, Task> run)
    {
        var stop = new CancellationTokenSource();
        workers.Add((stop, Task.Run(() => run(stop.Token))));
    }

    /// <summary>Starts a status writer; without <paramref name="leadership"/> it leads at once, and is returned once idle.</summary>
    protected async Task<StatusWriter> StartWriterAsync(IngressStatusOptions options, Portico.Leadership.ILeadership? leadership = null, IKubernetes? client = null)
    {
        var writer = new StatusWriter(
            client ?? Client, options, Build, leadership ?? new Portico.Leadership.AlwaysLeader(), Time, NullLogger<StatusWriter>.Instance, Metrics);
        Start(writer.RunAsync);
        if (leadership is null)
        {
            await IdleAsync(writer.Idle, 1);
        }

        return writer;
    }

    /// <summary>Starts an Event recorder; without <paramref name="leadership"/> it leads at once, and is returned once idle.</summary>
    protected async Task<DiagnosticEventRecorder> StartRecorderAsync(EventRecorderOptions? options = null, Portico.Leadership.ILeadership? leadership = null)
    {
        var recorder = new DiagnosticEventRecorder(
            Client, options ?? new EventRecorderOptions { ReportingInstance = "replica-a" }, leadership ?? new Portico.Leadership.AlwaysLeader(), Time,
            NullLogger<DiagnosticEventRecorder>.Instance, Metrics);
        Start(recorder.RunAsync);
        if (leadership is null)
        {
            await IdleAsync(recorder.Idle, 1);
        }

        return recorder;
    }

    /// <summary>Waits until the worker has been idle <paramref name="times"/> times in all.</summary>
    private protected static Task IdleAsync(IdleSignal idle, long times) => idle.WaitForAsync(times, Timeout);

    /// <summary>Gives a model to an idle worker and waits until it has handled it (and is idle again).</summary>
    private protected static async Task HandleAsync(Portico.Syncing.IModelListener listener, IdleSignal idle, ProxyModel model)
    {
        long before = idle.Count;
        listener.OnModel(model);
        await IdleAsync(idle, before + 1);
    }

    /// <summary>Moves the fake clock and waits until the worker woke up and is idle again.</summary>
    private protected async Task AdvanceAsync(IdleSignal idle, TimeSpan by)
    {
        long before = idle.Count;
        Time.Advance(by);
        await IdleAsync(idle, before + 1);
    }

    protected static IngressStatusOptions StaticAddresses(params string[] addresses) => new()
    {
        Addresses = [.. addresses.Select(a => PublishedAddress.TryParse(a, out var parsed) ? parsed! : throw new ArgumentException(a)).Distinct().Order()],
    };

    /// <summary>
    /// A model that serves the named Ingresses (in "default") and carries the diagnostics, with the desired statuses
    /// the builder computes for them from the Ingresses and IngressClasses on the server now; nothing else matters here.
    /// </summary>
    protected ProxyModel Model(IEnumerable<string> served, params Diagnostic[] diagnostics) =>
        ModelServing(served.Select(name => new ObjectRef("Ingress", "default", name)), diagnostics);

    protected ProxyModel Model(params string[] served) => Model(served, []);

    /// <summary>As <see cref="Model(IEnumerable{string}, Diagnostic[])"/>, for Ingresses in any namespace, plus condition subjects.</summary>
    protected ProxyModel ModelServing(IEnumerable<ObjectRef> served, IEnumerable<Diagnostic> diagnostics, params StatusSubject[] subjects)
    {
        ImmutableArray<ObjectRef> ingresses = [.. served.Order()];
        ImmutableArray<Diagnostic> sorted = [.. diagnostics.Order()];
        var snapshot = Kube.Snapshot([.. Server.List<V1IngressClass>(), .. Server.List<V1Ingress>()]);
        return new ProxyModel([], [], [], null, null, sorted, ingresses, DesiredStatusBuilder.Build(snapshot, Build, ingresses, sorted, subjects));
    }

    protected IReadOnlyList<string> AddressesOf(string name, string ns = "default") =>
        Server.Get<V1Ingress>(ns, name)?.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip ?? i.Hostname).ToList() ?? [];

    protected static V1Ingress WithStatus(V1Ingress ingress, params string[] addresses)
    {
        ingress.Status = StatusWith(addresses);
        return ingress;
    }

    protected static V1IngressStatus StatusWith(params string[] addresses) => new()
    {
        LoadBalancer = new V1IngressLoadBalancerStatus
        {
            Ingress = [.. addresses.Select(a => char.IsAsciiDigit(a[0]) ? new V1IngressLoadBalancerIngress { Ip = a } : new V1IngressLoadBalancerIngress { Hostname = a })],
        },
    };
}
