using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Kubernetes;
using Portico.Hosting;
using Portico.Local;
using Portico.Observability;
using Portico.Syncing;
using Portico.TestSupport;
using Portico.TestSupport.Kinds;
using Portico.Watching;
using Prometheus;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.Tests.Watching;

/// <summary>
/// A kind added through the registry alone (<see cref="TestKinds.Widget"/>, a custom resource defined in the test
/// support project, with no typed client calls and no switch knowing it) is listed, watched, stored and snapshotted:
/// in cluster mode against the test API server (serving it from the same kind information), and in local mode from a
/// manifest file. Both run the production sources into the production sync loop and read its published snapshots.
/// </summary>
public sealed class RegisteredKindTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly KindRegistry _kinds = TestKinds.WithWidgets();
    private CancellationTokenSource _stop = null!;
    private Channel<SyncBatch> _batches = null!;
    private Task _running = Task.CompletedTask;
    private Api? _api;

    [SetUp]
    public void SetUp() => _stop = new CancellationTokenSource();

    [TearDown]
    public async Task TearDownAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(Bound);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();

        // After the sources: an API server gone under a running watcher is an error for it, not a shutdown.
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }

    [Test]
    public async Task Cluster_mode_lists_watches_stores_and_snapshots_a_registered_custom_resource()
    {
        var api = _api = await Api.StartAsync();
        api.ServeFor(TestKinds.Widget);
        api.Upsert(Widget.Create("listed", "red"));
        api.Upsert(Kube.Ingress("web"));

        Start(output => ResourceApis.CreateWatchers(
            api.CreateClient(),
            new WatcherContext(output, new WatchOptions(), TimeProvider.System, NullLoggerFactory.Instance, new PorticoMetrics(Metrics.NewCustomRegistry())),
            _kinds));

        var first = await SnapshotAsync(s => s.Of<Widget>().Count == 1);
        Assert.That(first.Of<Widget>()[new NamespacedName("default", "listed")].Spec.Color, Is.EqualTo("red"), "listed, read into the kind's own type");
        Assert.That(first.Ingresses.Keys, Is.EquivalentTo(new[] { new NamespacedName("default", "web") }), "the built-in kinds are there beside it");
        Assert.That(
            api.Requests.Any(r => r.Path == "/apis/test.portico.dev/v1/widgets" && r.QueryValue("watch") != "true"),
            Is.True,
            "listed through the custom-objects path: " + string.Join("\n", api.Requests));

        await api.WaitUntilAsync(() => api.Requests.Any(r => r.Path == "/apis/test.portico.dev/v1/widgets" && r.QueryValue("watch") == "true"), Bound);
        api.Upsert(Widget.Create("watched", "blue", ns: "other"));
        var added = await SnapshotAsync(s => s.Of<Widget>().ContainsKey(new NamespacedName("other", "watched")));
        Assert.That(added.Of<Widget>()[new NamespacedName("other", "watched")].Spec.Color, Is.EqualTo("blue"));

        api.Delete<Widget>("default", "listed");
        var deleted = await SnapshotAsync(s => !s.Of<Widget>().ContainsKey(new NamespacedName("default", "listed")));
        Assert.That(deleted.ObjectsOf(TestKinds.Widget.Kind).Select(w => w.Metadata.Name), Is.EqualTo(new[] { "watched" }));
        Assert.That(added.Of<Widget>(), Has.Count.EqualTo(2), "an earlier snapshot never changes");
    }

    [Test]
    public async Task Local_mode_reads_stores_and_snapshots_a_registered_custom_resource()
    {
        var directory = Directory.CreateTempSubdirectory("portico-kinds-");
        try
        {
            string file = Path.Combine(directory.FullName, "widgets.yaml");
            await File.WriteAllTextAsync(file, """
                apiVersion: test.portico.dev/v1
                kind: Widget
                metadata:
                  name: from-file
                  namespace: shop
                spec:
                  color: green
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  ports: [{port: 80}]
                """);
            ManifestDirectorySource? source = null;
            Start(output => [source = new ManifestDirectorySource([directory.FullName], output, NullLogger<ManifestDirectorySource>.Instance, _kinds)]);
            Assert.That(source!.Kinds, Does.Contain(TestKinds.Widget.Kind), "local mode lists every registered kind");

            var first = await SnapshotAsync(s => s.Of<Widget>().Count == 1);
            Assert.That(first.Of<Widget>()[new NamespacedName("shop", "from-file")].Spec.Color, Is.EqualTo("green"));
            Assert.That(first.Services.Keys, Is.EquivalentTo(new[] { new NamespacedName("default", "web") }));

            await File.WriteAllTextAsync(file, """
                apiVersion: test.portico.dev/v1
                kind: Widget
                metadata:
                  name: from-file
                  namespace: shop
                spec:
                  color: yellow
                """);
            source.Poke();
            var changed = await SnapshotAsync(s => s.Of<Widget>().TryGetValue(new NamespacedName("shop", "from-file"), out var w) && w.Spec.Color == "yellow");
            Assert.That(changed.Services, Is.Empty, "the set of every kind is the files' set");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Runs the sources into the sync loop, as <see cref="OperatorRuntime"/> does (without the pipeline behind it).</summary>
    private void Start(Func<ChannelWriter<StoreEvent>, IReadOnlyList<IStoreSource>> sources)
    {
        var input = SyncLoop.CreateInput();
        _batches = SyncLoop.CreateOutput();
        var created = sources(input.Writer);
        var loop = new SyncLoop(
            input.Reader,
            _batches.Writer,
            created.SelectMany(s => s.Kinds).Distinct(),
            new SyncOptions { Holdoff = TimeSpan.FromMilliseconds(10), MaxHoldoff = TimeSpan.FromMilliseconds(50) },
            TimeProvider.System,
            NullLogger<SyncLoop>.Instance,
            new PorticoMetrics(Metrics.NewCustomRegistry()),
            _kinds);
        _running = Task.WhenAll(created.Select(s => s.RunAsync(_stop.Token)).Append(loop.RunAsync(_stop.Token)));
    }

    /// <summary>The first published snapshot that satisfies <paramref name="done"/>, within a bound.</summary>
    private async Task<ClusterSnapshot> SnapshotAsync(Func<ClusterSnapshot, bool> done)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            var batch = await _batches.Reader.ReadAsync(timeout.Token);
            if (done(batch.Snapshot))
            {
                return batch.Snapshot;
            }
        }
    }
}
