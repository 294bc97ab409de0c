using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;
using Portico.TestApiServer.Tests.Support;

namespace Portico.TestApiServer.Tests;

/// <summary>Faults switched on at run time: failing requests, and a full outage (stop, then restart on the same port).</summary>
public sealed class FaultInjectionTests : ApiServerTest
{
    [Test]
    public async Task The_next_requests_fail_with_500_then_the_server_recovers()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        Server.Faults.FailNextRequests(2);

        var (first, status) = await FailureOf(() => Client.NetworkingV1.ListNamespacedIngressAsync("default"));
        var (second, _) = await FailureOf(() => Client.NetworkingV1.ReadNamespacedIngressAsync("web", "default"));
        var recovered = await Client.NetworkingV1.ListNamespacedIngressAsync("default");

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(second, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(status.Reason, Is.EqualTo("InternalError"));
            Assert.That(status.Code, Is.EqualTo(500));
            Assert.That(recovered.Items, Has.Count.EqualTo(1));
            Assert.That(Server.Requests.Select(r => r.StatusCode), Is.EqualTo(new[] { 500, 500, 200 }));
        });
    }

    [Test]
    public async Task Requests_for_one_resource_and_verb_fail_while_the_fault_is_held()
    {
        Server.UpsertAll(TestObjects.Ingress("web"), TestObjects.Secret("creds"));

        using (Server.Faults.FailRequests(503, resource: "ingresses", verb: ApiVerbs.List))
        {
            var (code, status) = await FailureOf(() => Client.NetworkingV1.ListNamespacedIngressAsync("default"));
            var read = await Client.NetworkingV1.ReadNamespacedIngressAsync("web", "default");
            var secrets = await Client.CoreV1.ListNamespacedSecretAsync("default");
            var (again, _) = await FailureOf(() => Client.NetworkingV1.ListIngressForAllNamespacesAsync());

            Assert.Multiple(() =>
            {
                Assert.That(code, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(status.Reason, Is.EqualTo("ServiceUnavailable"));
                Assert.That(read.Metadata.Name, Is.EqualTo("web"));
                Assert.That(secrets.Items, Has.Count.EqualTo(1));
                Assert.That(again, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            });
        }

        var list = await Client.NetworkingV1.ListNamespacedIngressAsync("default");
        Assert.That(list.Items, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_stopped_server_refuses_connections_and_restarts_on_the_same_port_with_its_state()
    {
        Server.Upsert(TestObjects.Ingress("before"));
        var address = Server.BaseAddress;
        var resourceVersion = Server.ResourceVersion.ToString(CultureInfo.InvariantCulture);

        await Server.StopAsync();
        var refused = Assert.ThrowsAsync<HttpRequestException>(() => Client.NetworkingV1.ListNamespacedIngressAsync("default"));
        Server.Upsert(TestObjects.Ingress("during-the-outage"));
        await Server.RestartAsync();
        var list = await Client.NetworkingV1.ListNamespacedIngressAsync("default");
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", resourceVersion: resourceVersion, onError: onError, cancellationToken: ct));
        var missed = await watch.NextAsync();

        Assert.Multiple(() =>
        {
            Assert.That(refused!.InnerException, Is.InstanceOf<SocketException>());
            Assert.That(((SocketException)refused.InnerException!).SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused));
            Assert.That(Server.BaseAddress, Is.EqualTo(address));
            Assert.That(Server.IsRunning, Is.True);
            Assert.That(list.Items.Select(i => i.Metadata.Name), Is.EqualTo(new[] { "before", "during-the-outage" }));
            Assert.That(list.Metadata.ResourceVersion, Is.EqualTo("2"), "resourceVersions continue across the outage");
            Assert.That((missed.Type, missed.Object.Metadata.Name), Is.EqualTo((WatchEventType.Added, "during-the-outage")),
                "a watch resumed from before the outage gets what it missed");
        });
    }

    [Test]
    public async Task Stopping_breaks_open_watches()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync("default", onError: onError, cancellationToken: ct));
        await watch.NextAsync();

        await Server.StopAsync();
        var ended = await watch.EndAsync();

        Assert.Multiple(() =>
        {
            Assert.That(ended, Is.InstanceOf<IOException>());
            Assert.That(Server.IsRunning, Is.False);
        });
    }

    [Test]
    public async Task Reset_clears_every_fault()
    {
        Server.Faults.FailNextRequests(5);
        Server.Faults.ExpireNextWatches(3);
        Server.Faults.SetLatency(TimeSpan.FromSeconds(20));
        Server.Upsert(TestObjects.Ingress("web"));

        Server.Faults.Reset();
        var list = await Client.NetworkingV1.ListNamespacedIngressAsync("default");
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync("default", onError: onError, cancellationToken: ct));
        var added = await watch.NextAsync();

        Assert.Multiple(() =>
        {
            Assert.That(list.Items, Has.Count.EqualTo(1));
            Assert.That(added.Type, Is.EqualTo(WatchEventType.Added));
        });
    }

    [Test]
    public void Faults_are_bounded()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Server.Faults.SetLatency(TimeSpan.FromMinutes(5)), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Server.Faults.FailNextRequests(1, statusCode: 200), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Server.Faults.FailNextRequests(0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }
}
