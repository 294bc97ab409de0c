using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Kubernetes;
using Portico.Observability;
using Portico.TestSupport;
using Portico.TestSupport.Kinds;
using Portico.Watching;
using Prometheus;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.Tests.Watching;

/// <summary>
/// An optional kind whose resource the API server does not serve (its CRD not installed): the watcher counts it as
/// listed and empty once, says so in portico_kind_available, keeps looking with a bounded backoff, and lists and
/// watches it once it appears. A required kind keeps retrying as before and never reports itself listed.
/// </summary>
public sealed class OptionalKindTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private const string WidgetsPath = "/apis/test.portico.dev/v1/widgets";
    private Api _api = null!;
    private Channel<StoreEvent> _events = null!;
    private PorticoMetrics _metrics = null!;
    private CancellationTokenSource _stop = null!;
    private Task _running = Task.CompletedTask;

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
        try
        {
            await _running.WaitAsync(Bound);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
        await _api.DisposeAsync();
    }

    [Test]
    public async Task An_absent_optional_kind_is_listed_empty_once_and_watched_when_it_appears()
    {
        Start(TestKinds.Widget with { Requirement = KindRequirement.Optional });

        var listed = await NextAsync<KindListed>();
        Assert.That(listed.Values, Is.Empty, "counted as synced, with no objects");
        Assert.That(_metrics.KindAvailable.WithLabels(TestKinds.Widget.Kind).Value, Is.Zero);

        // It keeps looking, and says nothing more while the resource stays absent.
        await _api.WaitUntilAsync(() => _api.Requests.Count(r => r.Path == WidgetsPath && r.StatusCode == 404) >= 3, Bound);
        Assert.That(_events.Reader.TryRead(out var extra), Is.False, $"one KindListed while absent, not one per look: {extra}");

        // Installed, then an object created: the next look lists it (or lists the empty resource, and the watch after it brings the object).
        _api.ServeFor(TestKinds.Widget);
        _api.Upsert(Widget.Create("first", "red"));
        await NextAsync<StoreEvent>(e => e is KindListed { Values: var values } ? values.Any(v => v.Metadata.Name == "first") : e is ObjectUpserted { Value.Metadata.Name: "first" });
        Assert.That(_metrics.KindAvailable.WithLabels(TestKinds.Widget.Kind).Value, Is.EqualTo(1));

        await _api.WaitUntilAsync(() => _api.Requests.Any(r => r.Path == WidgetsPath && r.QueryValue("watch") == "true"), Bound);
        _api.Upsert(Widget.Create("second", "blue"));
        Assert.That((await NextAsync<ObjectUpserted>()).Value.Metadata.Name, Is.EqualTo("second"), "watched from then on");
    }

    [Test]
    public async Task The_recheck_backs_off_up_to_its_bound_on_the_operator_clock()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        Start(TestKinds.Widget with { Requirement = KindRequirement.Optional }, time, recheck: TimeSpan.FromSeconds(1), maxRecheck: TimeSpan.FromSeconds(4));
        await NextAsync<KindListed>();

        int Looks() => _api.Requests.Count(r => r.Path == WidgetsPath && r.StatusCode == 404);
        foreach (int seconds in new[] { 1, 2, 4, 4 })
        {
            int looks = Looks();
            await time.WaitForTimersAsync(1, Bound);
            time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
            Assert.That(time.PendingTimers, Is.EqualTo(1), $"still waiting just before {seconds} s");
            time.Advance(TimeSpan.FromMilliseconds(1));
            await _api.WaitUntilAsync(() => Looks() == looks + 1, Bound);
        }
    }

    [Test]
    public async Task A_required_kind_that_is_not_served_is_never_reported_listed()
    {
        Start(TestKinds.Widget);

        await _api.WaitUntilAsync(() => _api.Requests.Count(r => r.Path == WidgetsPath && r.StatusCode == 404) >= 2, Bound);
        Assert.That(_events.Reader.TryRead(out var early), Is.False, $"nothing is built without a required kind: {early}");
        Assert.That(_metrics.WatchRestarts.WithLabels(TestKinds.Widget.Kind, "error").Value, Is.GreaterThanOrEqualTo(1), "retried as any failure");
    }

    private void Start(KindDefinition kind, TimeProvider? time = null, TimeSpan? recheck = null, TimeSpan? maxRecheck = null)
    {
        var options = new WatchOptions
        {
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
            AbsentKindRecheck = recheck ?? TimeSpan.FromMilliseconds(20),
            AbsentKindMaxRecheck = maxRecheck ?? TimeSpan.FromMilliseconds(100),
        };
        var context = new WatcherContext(_events.Writer, options, time ?? TimeProvider.System, NullLoggerFactory.Instance, _metrics);
        var watcher = new ResourceWatcher(ResourceApis.For(_api.CreateClient(), kind, null), context);
        _running = Task.Run(() => watcher.RunAsync(_stop.Token));
    }

    /// <summary>The next event of type <typeparamref name="T"/> that matches (others before it are skipped), within a bound.</summary>
    private async Task<T> NextAsync<T>(Func<T, bool>? match = null)
        where T : StoreEvent
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            var next = await _events.Reader.ReadAsync(timeout.Token);
            if (next is T wanted && (match is null || match(wanted)))
            {
                return wanted;
            }
        }
    }
}
