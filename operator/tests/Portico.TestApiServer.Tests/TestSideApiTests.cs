using System.Net;
using k8s;
using k8s.Models;
using Portico.TestApiServer.Tests.Support;

namespace Portico.TestApiServer.Tests;

/// <summary>The API tests use directly: seeding and reading state, waiting for conditions, the request log, discovery.</summary>
public sealed class TestSideApiTests : ApiServerTest
{
    [Test]
    public void Upsert_keeps_identity_stores_status_as_given_and_bumps_generation_on_spec_changes()
    {
        var seeded = TestObjects.Ingress("web");
        seeded.Metadata.CreationTimestamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        seeded.Status = TestObjects.LoadBalancer("192.0.2.1");

        var first = Server.Upsert(seeded);
        var sameSpec = Server.Upsert(TestObjects.Ingress("web", labels: new Dictionary<string, string> { ["a"] = "b" }));
        var newSpec = Server.Upsert(TestObjects.Ingress("web", host: "other.example.com"));

        Assert.Multiple(() =>
        {
            Assert.That(first.Metadata.CreationTimestamp, Is.EqualTo(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
            Assert.That(first.Status.LoadBalancer.Ingress.Single().Ip, Is.EqualTo("192.0.2.1"));
            Assert.That(first.Metadata.Generation, Is.EqualTo(1));
            Assert.That(sameSpec.Metadata.Uid, Is.EqualTo(first.Metadata.Uid));
            Assert.That(sameSpec.Metadata.CreationTimestamp, Is.EqualTo(first.Metadata.CreationTimestamp));
            Assert.That(sameSpec.Metadata.Generation, Is.EqualTo(1));
            Assert.That(newSpec.Metadata.Generation, Is.EqualTo(2));
            Assert.That(Server.ResourceVersion, Is.EqualTo(3));
        });
    }

    [Test]
    public void Get_list_and_delete_work_on_the_store_directly()
    {
        Server.UpsertAll(TestObjects.Ingress("a"), TestObjects.Ingress("b", "other"), TestObjects.IngressClass("portico"));

        Assert.Multiple(() =>
        {
            Assert.That(Server.Get<V1Ingress>("default", "a")?.Metadata.Name, Is.EqualTo("a"));
            Assert.That(Server.Get<V1Ingress>("default", "b"), Is.Null);
            Assert.That(Server.Get<V1IngressClass>(null, "portico")?.Spec.Controller, Is.EqualTo("portico.dev/ingress-controller"));
            Assert.That(Server.List<V1Ingress>().Select(i => i.Metadata.Name), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(Server.List<V1Ingress>("other").Select(i => i.Metadata.Name), Is.EqualTo(new[] { "b" }));
            Assert.That(Server.Delete<V1Ingress>("default", "a"), Is.True);
            Assert.That(Server.Delete<V1Ingress>("default", "a"), Is.False);
            Assert.That(Server.List<V1Ingress>("default"), Is.Empty);
        });
    }

    [Test]
    public void Kinds_the_server_does_not_serve_are_refused()
    {
        Assert.That(() => Server.Upsert(new V1Pod { Metadata = new V1ObjectMeta { Name = "p" } }), Throws.ArgumentException);
    }

    [Test]
    public async Task Waiting_for_an_object_returns_as_soon_as_a_client_writes_it()
    {
        var waiting = Server.WaitForObjectAsync<V1Ingress>("default", "web", i => i.Status?.LoadBalancer?.Ingress?.Count > 0, Timeout);
        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");
        Assert.That(waiting.IsCompleted, Is.False, "no status yet");
        created.Status = TestObjects.LoadBalancer("192.0.2.1");
        await Client.NetworkingV1.ReplaceNamespacedIngressStatusAsync(created, "web", "default");

        var ingress = await waiting;

        Assert.That(ingress.Status.LoadBalancer.Ingress.Single().Ip, Is.EqualTo("192.0.2.1"));
    }

    [Test]
    public void Waits_are_bounded()
    {
        Assert.That(async () => await Server.WaitUntilAsync(() => false, TimeSpan.FromMilliseconds(50)), Throws.InstanceOf<TimeoutException>());
    }

    [Test]
    public async Task The_request_log_records_verbs_resources_and_queries()
    {
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", resourceVersion: "0", allowWatchBookmarks: true, onError: onError, cancellationToken: ct));
        var watchRequest = await Server.WaitForRequestAsync(r => r.Verb == ApiVerbs.Watch, Timeout);
        await Client.CoreV1.CreateNamespacedSecretAsync(TestObjects.Secret("creds"), "default");
        await FailureOf(() => Client.CoreV1.ReadNamespacedSecretAsync("missing", "default"));

        var log = Server.Requests;

        Assert.Multiple(() =>
        {
            Assert.That(watchRequest.Path, Is.EqualTo("/apis/networking.k8s.io/v1/namespaces/default/ingresses"));
            Assert.That(watchRequest.QueryValue("watch"), Is.EqualTo("true"));
            Assert.That(watchRequest.QueryValue("allowWatchBookmarks"), Is.EqualTo("true"));
            Assert.That(watchRequest.QueryValue("resourceVersion"), Is.EqualTo("0"));
            Assert.That((watchRequest.Group, watchRequest.Resource, watchRequest.Namespace), Is.EqualTo(("networking.k8s.io", "ingresses", "default")));
            Assert.That(log.Select(r => (r.Method, r.Verb, r.Resource, r.Name, r.StatusCode)), Is.EqualTo(new[]
            {
                ("GET", ApiVerbs.Watch, "ingresses", (string?)null, 200),
                ("POST", ApiVerbs.Create, "secrets", null, 201),
                ("GET", ApiVerbs.Get, "secrets", "missing", 404),
            }));
            Assert.That(log[1].Body, Does.Contain("\"creds\""));
        });
    }

    [Test]
    public async Task Discovery_documents_list_the_served_resources()
    {
        var core = await Client.CoreV1.GetAPIResourcesAsync();
        var networking = await Client.NetworkingV1.GetAPIResourcesAsync();
        var groups = await Client.Apis.GetAPIVersionsAsync();
        var version = await Client.Version.GetCodeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(core.Resources.Select(r => r.Name), Is.SupersetOf(new[] { "services", "services/status", "secrets", "events", "namespaces" }));
            Assert.That(networking.Resources.Single(r => r.Name == "ingresses").Namespaced, Is.True);
            Assert.That(networking.Resources.Single(r => r.Name == "ingressclasses").Namespaced, Is.False);
            Assert.That(groups.Groups.Select(g => g.Name), Is.SupersetOf(new[] { "networking.k8s.io", "discovery.k8s.io", "coordination.k8s.io", "events.k8s.io" }));
            Assert.That(version.Major, Is.EqualTo("1"));
        });
    }

    [TestCase("/apis/networking.k8s.io/v1/namespaces/default/pods")]
    [TestCase("/apis/apps/v1/deployments")]
    [TestCase("/apis/networking.k8s.io/v1/ingresses/web")]
    [TestCase("/api/v1/namespaces/default/ingresses")]
    [TestCase("/apis/networking.k8s.io/v1/namespaces/default/ingresses/web/scale")]
    public async Task Unknown_paths_are_404_with_a_status(string path)
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(status.Reason, Is.EqualTo("NotFound"));
        });
    }

    [Test]
    public async Task Watches_are_served_as_chunked_newline_delimited_json()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };

        using var response = await http.GetAsync(
            new Uri("/apis/networking.k8s.io/v1/ingresses?watch=1&timeoutSeconds=1", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var line = await reader.ReadLineAsync().WaitAsync(Timeout);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.TransferEncodingChunked, Is.True);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(line, Does.StartWith("{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\""));
        });
    }
}
