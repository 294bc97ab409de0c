using Portico.TestSupport;
using k8s;
using k8s.Models;
using Portico.TestApiServer.Tests.Support;

namespace Portico.TestApiServer.Tests;

/// <summary>Everything time-driven on the server follows its injected TimeProvider: here a clock the test moves.</summary>
public sealed class ManualClockTests : ApiServerTest
{
    private static readonly DateTimeOffset Start = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly ManualTimeProvider clock = new(Start);

    protected override TestApiServerOptions CreateOptions() => new() { TimeProvider = clock, BookmarkInterval = TimeSpan.FromMinutes(1) };

    [Test]
    public async Task Creation_timestamps_come_from_the_servers_clock()
    {
        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");
        clock.Advance(TimeSpan.FromHours(1));
        var later = await Client.CoreV1.CreateNamespacedSecretAsync(TestObjects.Secret("creds"), "default");

        Assert.Multiple(() =>
        {
            Assert.That(created.Metadata.CreationTimestamp, Is.EqualTo(Start.UtcDateTime));
            Assert.That(later.Metadata.CreationTimestamp, Is.EqualTo(Start.UtcDateTime.AddHours(1)));
            Assert.That(Server.Requests[0].Time, Is.EqualTo(Start));
        });
    }

    [Test]
    public async Task Bookmarks_come_every_interval_of_the_servers_clock()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", allowWatchBookmarks: true, onError: onError, cancellationToken: ct));
        await watch.NextAsync();

        clock.Advance(TimeSpan.FromSeconds(59));
        Server.Upsert(TestObjects.Ingress("other"));
        var beforeInterval = await watch.NextAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        var bookmark = await watch.NextAsync();

        Assert.Multiple(() =>
        {
            Assert.That(beforeInterval.Type, Is.EqualTo(WatchEventType.Added), "no bookmark before the interval");
            Assert.That(bookmark.Type, Is.EqualTo(WatchEventType.Bookmark));
            Assert.That(bookmark.Object.Metadata.ResourceVersion, Is.EqualTo("2"));
        });
    }

    [Test]
    public async Task TimeoutSeconds_ends_the_watch_cleanly_on_the_servers_clock()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", timeoutSeconds: 30, onError: onError, cancellationToken: ct));
        await watch.NextAsync();

        // The bookmark timer plus this watch's timeout.
        await clock.WaitForTimersAsync(2, Timeout);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.That(watch.Ended.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await watch.EndAsync(), Is.Null);
    }

    [Test]
    public async Task Injected_latency_holds_responses_until_the_servers_clock_has_moved()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        Server.Faults.SetLatency(TimeSpan.FromSeconds(5), resource: "ingresses");

        var read = Client.NetworkingV1.ReadNamespacedIngressAsync("web", "default");
        await clock.WaitForTimersAsync(2, Timeout);
        var secrets = await Client.CoreV1.ListNamespacedSecretAsync("default");
        Assert.That(read.IsCompleted, Is.False, "held by the latency");
        clock.Advance(TimeSpan.FromSeconds(5));
        var ingress = await read.WaitAsync(Timeout);

        Assert.Multiple(() =>
        {
            Assert.That(ingress.Metadata.Name, Is.EqualTo("web"));
            Assert.That(secrets.Items, Is.Empty, "other resources are not delayed");
        });
    }
}
