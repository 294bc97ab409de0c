using System.Globalization;
using k8s;
using k8s.Models;
using Portico.TestApiServer.Tests.Support;

namespace Portico.TestApiServer.Tests;

/// <summary>Watch semantics through the client's own watch API: ordering, resourceVersions, bookmarks, 410, broken streams.</summary>
public sealed class WatchTests : ApiServerTest
{
    [Test]
    public async Task A_watch_from_a_list_resourceVersion_sees_every_later_change_in_order()
    {
        Server.Upsert(TestObjects.Ingress("existing"));
        var list = await Client.NetworkingV1.ListNamespacedIngressAsync("default");
        Server.Upsert(TestObjects.Ingress("before-the-watch"));

        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", resourceVersion: list.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        var replayed = await watch.NextAsync();
        await Server.WaitForWatchesAsync(1, Timeout);

        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");
        created.Spec.Rules[0].Host = "changed.example.com";
        await Client.NetworkingV1.ReplaceNamespacedIngressAsync(created, "web", "default");
        await Client.NetworkingV1.DeleteNamespacedIngressAsync("web", "default");
        var added = await watch.NextAsync();
        var modified = await watch.NextAsync();
        var deleted = await watch.NextAsync();

        Assert.Multiple(() =>
        {
            Assert.That((replayed.Type, replayed.Object.Metadata.Name), Is.EqualTo((WatchEventType.Added, "before-the-watch")), "replayed from the list's resourceVersion");
            Assert.That((added.Type, added.Object.Metadata.Name), Is.EqualTo((WatchEventType.Added, "web")));
            Assert.That((modified.Type, modified.Object.Spec.Rules[0].Host), Is.EqualTo((WatchEventType.Modified, "changed.example.com")));
            Assert.That((deleted.Type, deleted.Object.Metadata.Name), Is.EqualTo((WatchEventType.Deleted, "web")));
            Assert.That(
                new[] { replayed, added, modified, deleted }.Select(e => long.Parse(e.Object.Metadata.ResourceVersion, CultureInfo.InvariantCulture)),
                Is.Ordered.Ascending.And.Unique);
            Assert.That(deleted.Object.Metadata.ResourceVersion, Is.EqualTo(Server.ResourceVersion.ToString(CultureInfo.InvariantCulture)),
                "a DELETED event carries the deletion's resourceVersion");
        });
    }

    [Test]
    public async Task A_watch_without_resourceVersion_starts_with_ADDED_for_what_exists_in_its_namespace()
    {
        Server.UpsertAll(TestObjects.Ingress("a"), TestObjects.Ingress("b"), TestObjects.Ingress("elsewhere", "other"));

        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync("default", onError: onError, cancellationToken: ct));
        await using var everywhere = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListIngressForAllNamespacesAsync(
            resourceVersion: "0", onError: onError, cancellationToken: ct));
        var initial = new[] { await watch.NextAsync(), await watch.NextAsync() };
        var initialEverywhere = new[] { await everywhere.NextAsync(), await everywhere.NextAsync(), await everywhere.NextAsync() };
        Server.Upsert(TestObjects.Ingress("c"));
        var live = await watch.NextAsync();

        Assert.Multiple(() =>
        {
            Assert.That(initial.Select(e => (e.Type, e.Object.Metadata.Name)), Is.EqualTo(new[] { (WatchEventType.Added, "a"), (WatchEventType.Added, "b") }));
            Assert.That(initialEverywhere.Select(e => e.Object.Metadata.Name), Is.EquivalentTo(new[] { "a", "b", "elsewhere" }));
            Assert.That((live.Type, live.Object.Metadata.Name), Is.EqualTo((WatchEventType.Added, "c")));
        });
    }

    [Test]
    public async Task Bookmarks_arrive_only_on_watches_that_ask_for_them()
    {
        await using var withBookmarks = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", allowWatchBookmarks: true, resourceVersion: "0", onError: onError, cancellationToken: ct));
        await using var without = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", resourceVersion: "0", onError: onError, cancellationToken: ct));
        await Server.WaitForWatchesAsync(2, Timeout);

        var sent = Server.SendBookmarks();
        var bookmark = await withBookmarks.NextAsync();
        Server.Upsert(TestObjects.Ingress("web"));
        var afterBookmark = await withBookmarks.NextAsync();
        var first = await without.NextAsync();

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(1));
            Assert.That(bookmark.Type, Is.EqualTo(WatchEventType.Bookmark));
            Assert.That(bookmark.Object.Metadata.ResourceVersion, Is.EqualTo("0"), "the bookmark carries the store's revision (nothing written yet)");
            Assert.That(bookmark.Object.Metadata.Name, Is.Null);
            Assert.That(afterBookmark.Type, Is.EqualTo(WatchEventType.Added));
            Assert.That((first.Type, first.Object.Metadata.Name), Is.EqualTo((WatchEventType.Added, "web")), "no bookmark before it");
        });
    }

    [Test]
    public async Task SendInitialEvents_ends_the_initial_state_with_an_annotated_bookmark()
    {
        Server.Upsert(TestObjects.Ingress("a"));

        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", onError: onError, cancellationToken: ct));
        var added = await watch.NextAsync();
        var end = await watch.NextAsync();

        Assert.Multiple(() =>
        {
            Assert.That((added.Type, added.Object.Metadata.Name), Is.EqualTo((WatchEventType.Added, "a")));
            Assert.That(end.Type, Is.EqualTo(WatchEventType.Bookmark));
            Assert.That(end.Object.Metadata.Annotations["k8s.io/initial-events-end"], Is.EqualTo("true"));
        });
    }

    [Test]
    public async Task A_label_selected_watch_sees_objects_enter_and_leave_the_selection()
    {
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", labelSelector: "app=web", resourceVersion: "0", onError: onError, cancellationToken: ct));
        await Server.WaitForWatchesAsync(1, Timeout);

        Server.Upsert(TestObjects.Ingress("x", labels: new Dictionary<string, string> { ["app"] = "web" }));
        Server.Upsert(TestObjects.Ingress("never", labels: new Dictionary<string, string> { ["app"] = "api" }));
        Server.Upsert(TestObjects.Ingress("x", labels: new Dictionary<string, string> { ["app"] = "api" }));
        Server.Upsert(TestObjects.Ingress("x", labels: new Dictionary<string, string> { ["app"] = "web" }));
        Server.Upsert(TestObjects.Ingress("x", host: "changed.example.com", labels: new Dictionary<string, string> { ["app"] = "web" }));
        var events = new[] { await watch.NextAsync(), await watch.NextAsync(), await watch.NextAsync(), await watch.NextAsync() };

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { WatchEventType.Added, WatchEventType.Deleted, WatchEventType.Added, WatchEventType.Modified }));
            Assert.That(events.Select(e => e.Object.Metadata.Name), Is.All.EqualTo("x"));
            Assert.That(events[1].Object.Metadata.Labels["app"], Is.EqualTo("web"), "leaving the selection reports the last matching state");
        });
    }

    [Test]
    public async Task A_watch_from_a_compacted_resourceVersion_gets_a_410_Expired_error_and_ends()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        var old = Server.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        Server.Upsert(TestObjects.Ingress("web", host: "changed.example.com"));
        Server.Compact();

        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", resourceVersion: old, onError: onError, cancellationToken: ct));
        var error = await watch.NextErrorAsync();
        var ended = await watch.EndAsync();

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.TypeOf<KubernetesException>());
            var status = ((KubernetesException)error).Status;
            Assert.That(status.Code, Is.EqualTo(410));
            Assert.That(status.Reason, Is.EqualTo("Expired"));
            Assert.That(status.Message, Does.StartWith($"too old resource version: {old}"));
            Assert.That(ended, Is.Null, "the server ends the stream cleanly after the error");
            Assert.That(watch.HasPendingEvent, Is.False);
        });
    }

    [Test]
    public async Task The_event_history_is_bounded()
    {
        await using var small = await TestApiServer.StartAsync(new TestApiServerOptions { EventHistoryLimit = 3 });
        using var client = small.CreateClient();
        small.Upsert(TestObjects.Ingress("web"));
        var first = small.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < 4; i++)
        {
            small.Upsert(TestObjects.Ingress("web", host: $"h{i}.example.com"));
        }

        // Five writes, three remembered: resourceVersion 1 is too old to watch from, 2 is the oldest still served.
        var oldestServed = (small.ResourceVersion - 3).ToString(CultureInfo.InvariantCulture);
        await using var tooOld = Record<V1Ingress>((onError, ct) => client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", resourceVersion: first, onError: onError, cancellationToken: ct));
        await using var recent = Record<V1Ingress>((onError, ct) => client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", resourceVersion: oldestServed, onError: onError, cancellationToken: ct));
        var error = (KubernetesException)await tooOld.NextErrorAsync();
        var replayed = new[] { await recent.NextAsync(), await recent.NextAsync(), await recent.NextAsync() };

        Assert.Multiple(() =>
        {
            Assert.That(error.Status.Code, Is.EqualTo(410));
            Assert.That(replayed.Select(e => e.Object.Spec.Rules[0].Host), Is.EqualTo(new[] { "h1.example.com", "h2.example.com", "h3.example.com" }));
        });
    }

    [Test]
    public async Task ExpireNextWatches_makes_the_next_watch_410_whatever_it_asks()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        Server.Faults.ExpireNextWatches();

        await using var expired = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", resourceVersion: Server.ResourceVersion.ToString(CultureInfo.InvariantCulture), onError: onError, cancellationToken: ct));
        var error = (KubernetesException)await expired.NextErrorAsync();
        await using var next = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", onError: onError, cancellationToken: ct));
        var added = await next.NextAsync();

        Assert.Multiple(() =>
        {
            Assert.That(error.Status.Code, Is.EqualTo(410));
            Assert.That(added.Type, Is.EqualTo(WatchEventType.Added), "only the next watch expires");
        });
    }

    [Test]
    public async Task Dropping_watches_breaks_the_clients_stream()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync("default", onError: onError, cancellationToken: ct));
        await watch.NextAsync();

        var dropped = Server.Faults.DropWatches();
        var ended = await watch.EndAsync();

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.EqualTo(1));
            Assert.That(ended, Is.InstanceOf<IOException>(), "the connection broke mid-stream");
            Assert.That(Server.ActiveWatchCount, Is.Zero);
        });
    }

    [Test]
    public async Task Dropping_watches_cleanly_ends_the_clients_stream()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync("default", onError: onError, cancellationToken: ct));
        await watch.NextAsync();

        Server.Faults.DropWatches(abort: false);

        Assert.That(await watch.EndAsync(), Is.Null);
    }

    [Test]
    public async Task The_callback_watcher_is_told_when_the_server_closes_the_connection()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstEvent = new TaskCompletionSource<(WatchEventType, V1Ingress)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = Client.NetworkingV1.WatchListNamespacedIngress(
            "default",
            onEvent: (type, ingress) => firstEvent.TrySetResult((type, ingress)),
            onError: _ => { },
            onClosed: closed.SetResult);
        var (type, ingress) = await firstEvent.Task.WaitAsync(Timeout);

        Server.Faults.DropWatches();
        await closed.Task.WaitAsync(Timeout);

        Assert.Multiple(() =>
        {
            Assert.That((type, ingress.Metadata.Name), Is.EqualTo((WatchEventType.Added, "web")));
            Assert.That(watcher.Watching, Is.False);
        });
    }

    [Test]
    public async Task A_watch_on_one_name_sees_only_that_object()
    {
        await using var watch = Record<V1Secret>((onError, ct) => Client.CoreV1.WatchListNamespacedSecretAsync(
            "default", fieldSelector: "metadata.name=wanted", resourceVersion: "0", onError: onError, cancellationToken: ct));
        await Server.WaitForWatchesAsync(1, Timeout);

        Server.UpsertAll(TestObjects.Secret("other"), TestObjects.Secret("wanted"));

        var e = await watch.NextAsync();
        Assert.That((e.Type, e.Object.Metadata.Name), Is.EqualTo((WatchEventType.Added, "wanted")));
    }
}
