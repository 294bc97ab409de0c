using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Kubernetes;
using Portico.Observability;
using Portico.TestSupport;
using Portico.Watching;
using Prometheus;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.Tests.Watching;

/// <summary>
/// One watcher against the test API server, through KubernetesClient: paged list, then watch from the list's
/// resourceVersion with bookmarks; a dropped stream resumes without a relist; 410 relists; an outage is waited out.
/// </summary>
public sealed class ResourceWatcherTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private Api _api = null!;
    private Channel<StoreEvent> _events = null!;
    private PorticoMetrics _metrics = null!;
    private CancellationTokenSource _stop = null!;
    private Task _running = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _api = await Api.StartAsync();
        _events = Channel.CreateUnbounded<StoreEvent>();
        _metrics = new PorticoMetrics(Metrics.NewCustomRegistry());
        _stop = new CancellationTokenSource();
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            try
            {
                await _running.WaitAsync(Bound);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stop.Dispose();
        await _api.DisposeAsync();
    }

    [Test]
    public async Task The_first_list_is_paged_and_complete()
    {
        for (int i = 0; i < 7; i++)
        {
            _api.Upsert(Kube.Ingress($"i{i}"));
        }

        Start(pageSize: 3);

        var listed = await NextAsync<KindListed>();
        Assert.That(listed.Values.Select(v => v.Metadata.Name).Order(), Is.EqualTo(Enumerable.Range(0, 7).Select(i => $"i{i}")));
        var lists = _api.Requests.Where(r => r.Path.EndsWith("/ingresses", StringComparison.Ordinal) && r.QueryValue("watch") != "true").ToList();
        Assert.That(lists, Has.Count.EqualTo(3), "three pages of at most three: " + string.Join("\n", _api.Requests));
        Assert.That(lists.Select(r => r.QueryValue("limit")), Is.All.EqualTo("3"));
    }

    [Test]
    public async Task Changes_after_the_list_arrive_as_upserts_and_deletes()
    {
        _api.Upsert(Kube.Ingress("kept"));
        Start();
        await NextAsync<KindListed>();
        await _api.WaitForWatchesAsync(1);

        _api.Upsert(Kube.Ingress("added"));
        _api.Delete<V1Ingress>("default", "kept");

        Assert.That((await NextAsync<ObjectUpserted>()).Value.Metadata.Name, Is.EqualTo("added"));
        Assert.That((await NextAsync<ObjectDeleted>()).Key, Is.EqualTo(new NamespacedName("default", "kept")));
    }

    [Test]
    public async Task A_dropped_stream_resumes_from_the_last_resourceVersion_without_a_relist()
    {
        Start();
        await NextAsync<KindListed>();
        await _api.WaitForWatchesAsync(1);
        _api.Upsert(Kube.Ingress("before"));
        await NextAsync<ObjectUpserted>();

        _api.Faults.DropWatches();
        _api.Upsert(Kube.Ingress("after"));

        var next = await NextAsync<StoreEvent>();
        Assert.That(next is ObjectUpserted { Value.Metadata.Name: "after" }, Is.True, "the change made while the stream was down arrives, and no relist: " + next + "\n" + string.Join("\n", _api.Requests));
        var watches = _api.Requests.Where(r => r.QueryValue("watch") == "true").ToList();
        Assert.That(watches.Last().QueryValue("resourceVersion"), Is.Not.Null.And.Not.EqualTo("0"));
        Assert.That(watches.Select(r => r.QueryValue("allowWatchBookmarks")), Is.All.EqualTo("true"));
    }

    [Test]
    public async Task An_expired_watch_relists_the_kind()
    {
        Start();
        await NextAsync<KindListed>();
        await _api.WaitForWatchesAsync(1);

        _api.Faults.ExpireNextWatches(1);
        _api.Faults.DropWatches();
        _api.Upsert(Kube.Ingress("missed"));

        var relisted = await NextAsync<KindListed>();
        Assert.That(relisted.Values.Select(v => v.Metadata.Name), Does.Contain("missed"));
        Assert.That(_metrics.WatchRestarts.WithLabels(KnownKinds.Ingress, "expired").Value, Is.EqualTo(1), string.Join("\n", _api.Requests));
    }

    [Test]
    public async Task An_outage_is_waited_out_with_backoff()
    {
        await _api.StopAsync();
        Start();
        using (_api.Faults.FailRequests(500))
        {
            await _api.RestartAsync();
            await _api.WaitForRequestAsync(r => r.StatusCode == 500);
        }

        _api.Upsert(Kube.Ingress("after-outage"));
        var listed = await NextAsync<KindListed>();
        Assert.That(listed.Values.Select(v => v.Metadata.Name), Does.Contain("after-outage"));
        Assert.That(_metrics.WatchRestarts.WithLabels(KnownKinds.Ingress, "error").Value, Is.GreaterThanOrEqualTo(1));
    }

    private void Start(int pageSize = 500)
    {
        var options = new WatchOptions { PageSize = pageSize, InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200) };
        var context = new WatcherContext(_events.Writer, options, TimeProvider.System, NullLoggerFactory.Instance, _metrics);
        var watcher = new ResourceWatcher(ResourceApis.For(_api.CreateClient(), KindRegistry.Default.Find(KnownKinds.Ingress)!, null), context);
        _running = Task.Run(() => watcher.RunAsync(_stop.Token));
    }

    /// <summary>The next event of type <typeparamref name="T"/> (others before it are skipped), within a bound.</summary>
    private async Task<T> NextAsync<T>()
        where T : StoreEvent
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            var next = await _events.Reader.ReadAsync(timeout.Token);
            if (next is T wanted)
            {
                return wanted;
            }
        }
    }
}
