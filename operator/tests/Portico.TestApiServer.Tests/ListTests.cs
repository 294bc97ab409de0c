using System.Globalization;
using System.Net;
using k8s;
using k8s.Models;
using Portico.TestApiServer.Tests.Support;

namespace Portico.TestApiServer.Tests;

/// <summary>List semantics: paging with limit/continue over a consistent snapshot, resourceVersions, selectors.</summary>
public sealed class ListTests : ApiServerTest
{
    [Test]
    public async Task Paging_returns_every_object_exactly_once()
    {
        for (var i = 0; i < 25; i++)
        {
            Server.Upsert(TestObjects.Ingress($"web-{i:D2}"));
        }

        var seen = new List<string>();
        var pages = 0;
        string? token = null;
        var first = await Client.NetworkingV1.ListNamespacedIngressAsync("default", limit: 10);
        var response = first;
        while (true)
        {
            pages++;
            seen.AddRange(response.Items.Select(i => i.Metadata.Name));
            Assert.That(response.Metadata.ResourceVersion, Is.EqualTo(first.Metadata.ResourceVersion), "every page is the same snapshot");
            token = response.Metadata.ContinueProperty;
            if (string.IsNullOrEmpty(token))
            {
                break;
            }

            response = await Client.NetworkingV1.ListNamespacedIngressAsync("default", limit: 10, continueParameter: token);
        }

        Assert.Multiple(() =>
        {
            Assert.That(pages, Is.EqualTo(3));
            Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 25).Select(i => $"web-{i:D2}")));
            Assert.That(first.Metadata.RemainingItemCount, Is.EqualTo(15));
        });
    }

    [Test]
    public async Task Continued_pages_come_from_the_first_pages_snapshot()
    {
        for (var i = 0; i < 6; i++)
        {
            Server.Upsert(TestObjects.Ingress($"web-{i}"));
        }

        var first = await Client.NetworkingV1.ListNamespacedIngressAsync("default", limit: 3);

        // Changes after the first page are invisible to the rest of this list.
        Server.Delete<V1Ingress>("default", "web-4");
        Server.Upsert(TestObjects.Ingress("web-9"));
        Server.Upsert(TestObjects.Ingress("web-5", host: "changed.example.com"));
        var second = await Client.NetworkingV1.ListNamespacedIngressAsync("default", limit: 3, continueParameter: first.Metadata.ContinueProperty);
        var fresh = await Client.NetworkingV1.ListNamespacedIngressAsync("default");

        Assert.Multiple(() =>
        {
            Assert.That(second.Items.Select(i => i.Metadata.Name), Is.EqualTo(new[] { "web-3", "web-4", "web-5" }));
            Assert.That(second.Items.Last().Spec.Rules[0].Host, Is.EqualTo("example.com"));
            Assert.That(second.Metadata.ContinueProperty, Is.Null.Or.Empty);
            Assert.That(fresh.Items.Select(i => i.Metadata.Name), Is.EqualTo(new[] { "web-0", "web-1", "web-2", "web-3", "web-5", "web-9" }));
            Assert.That(long.Parse(fresh.Metadata.ResourceVersion, CultureInfo.InvariantCulture),
                Is.GreaterThan(long.Parse(second.Metadata.ResourceVersion, CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task A_continue_token_older_than_the_history_is_410_Expired()
    {
        for (var i = 0; i < 4; i++)
        {
            Server.Upsert(TestObjects.Ingress($"web-{i}"));
        }

        var first = await Client.NetworkingV1.ListNamespacedIngressAsync("default", limit: 2);
        Server.Upsert(TestObjects.Ingress("web-9"));
        Server.Compact();

        var (code, status) = await FailureOf(() => Client.NetworkingV1.ListNamespacedIngressAsync("default", limit: 2, continueParameter: first.Metadata.ContinueProperty));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(status.Reason, Is.EqualTo("Expired"));
        });
    }

    [Test]
    public async Task The_list_resourceVersion_is_the_stores_current_one_and_items_keep_their_own()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        var web = Server.Get<V1Ingress>("default", "web")!;
        Server.Upsert(TestObjects.Secret("unrelated"));

        var list = await Client.NetworkingV1.ListNamespacedIngressAsync("default");

        Assert.Multiple(() =>
        {
            Assert.That(list.Metadata.ResourceVersion, Is.EqualTo(Server.ResourceVersion.ToString(CultureInfo.InvariantCulture)));
            Assert.That(list.Items.Single().Metadata.ResourceVersion, Is.EqualTo(web.Metadata.ResourceVersion));
            Assert.That(list.Items.Single().Kind, Is.Null, "like the real server, list items carry no kind (the list does)");
        });
    }

    [Test]
    public async Task An_exact_resourceVersion_lists_the_state_at_that_version()
    {
        Server.Upsert(TestObjects.Ingress("a"));
        var then = Server.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        Server.Upsert(TestObjects.Ingress("b"));
        Server.Delete<V1Ingress>("default", "a");

        var old = await Client.NetworkingV1.ListNamespacedIngressAsync("default", resourceVersion: then, resourceVersionMatch: "Exact");

        Assert.Multiple(() =>
        {
            Assert.That(old.Items.Select(i => i.Metadata.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(old.Metadata.ResourceVersion, Is.EqualTo(then));
        });
    }

    [Test]
    public async Task Secrets_are_selected_by_type()
    {
        Server.UpsertAll(
            TestObjects.Secret("tls-a", type: "kubernetes.io/tls"),
            TestObjects.Secret("opaque"),
            TestObjects.Secret("tls-b", "other", type: "kubernetes.io/tls"));

        var tls = await Client.CoreV1.ListSecretForAllNamespacesAsync(fieldSelector: "type=kubernetes.io/tls");
        var notTls = await Client.CoreV1.ListNamespacedSecretAsync("default", fieldSelector: "type!=kubernetes.io/tls");
        var byName = await Client.CoreV1.ListSecretForAllNamespacesAsync(fieldSelector: "metadata.name=tls-b,metadata.namespace==other");

        Assert.Multiple(() =>
        {
            Assert.That(tls.Items.Select(s => s.Metadata.Name), Is.EqualTo(new[] { "tls-a", "tls-b" }));
            Assert.That(notTls.Items.Select(s => s.Metadata.Name), Is.EqualTo(new[] { "opaque" }));
            Assert.That(byName.Items.Select(s => s.Metadata.NamespaceProperty), Is.EqualTo(new[] { "other" }));
        });
    }

    [TestCase("kubernetes.io/service-name=web", new[] { "web-1", "web-2" })]
    [TestCase("kubernetes.io/service-name==web", new[] { "web-1", "web-2" })]
    [TestCase("kubernetes.io/service-name!=web", new[] { "api-1", "bare" })]
    [TestCase("kubernetes.io/service-name", new[] { "api-1", "web-1", "web-2" })]
    [TestCase("!kubernetes.io/service-name", new[] { "bare" })]
    [TestCase("kubernetes.io/service-name in (web, api)", new[] { "api-1", "web-1", "web-2" })]
    [TestCase("kubernetes.io/service-name notin (web)", new[] { "api-1", "bare" })]
    [TestCase("kubernetes.io/service-name=web,zone=a", new[] { "web-1" })]
    [TestCase("", new[] { "api-1", "bare", "web-1", "web-2" })]
    public async Task EndpointSlices_are_selected_by_label(string selector, string[] expected)
    {
        var web1 = TestObjects.Slice("web-1", "web", addresses: "10.0.0.1");
        web1.Metadata.Labels["zone"] = "a";
        var bare = TestObjects.Slice("bare", "none");
        bare.Metadata.Labels.Clear();
        Server.UpsertAll(web1, TestObjects.Slice("web-2", "web"), TestObjects.Slice("api-1", "api"), bare);

        var slices = await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: selector);

        Assert.That(slices.Items.Select(s => s.Metadata.Name), Is.EqualTo(expected));
    }

    [TestCase("spec.rules=x", "field label not supported: spec.rules")]
    [TestCase("type=kubernetes.io/tls", "field label not supported: type")]
    [TestCase("nonsense", "invalid selector: 'nonsense'; can't understand 'nonsense'")]
    public async Task Unsupported_field_selectors_are_400_BadRequest(string selector, string message)
    {
        var (code, status) = await FailureOf(() => Client.NetworkingV1.ListNamespacedIngressAsync("default", fieldSelector: selector));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(status.Reason, Is.EqualTo("BadRequest"));
            Assert.That(status.Code, Is.EqualTo(400));
            Assert.That(status.Message, Is.EqualTo(message));
        });
    }

    [TestCase("a in (b")]
    [TestCase("a=b=c")]
    [TestCase("a,,b")]
    [TestCase("Bad Key=x")]
    [TestCase("a=has space")]
    public async Task Malformed_label_selectors_are_400_BadRequest(string selector)
    {
        var (code, status) = await FailureOf(() => Client.NetworkingV1.ListNamespacedIngressAsync("default", labelSelector: selector));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(status.Message, Does.StartWith("unable to parse requirement"));
        });
    }

    [Test]
    public async Task Cluster_scoped_and_all_namespace_lists_span_every_namespace()
    {
        Server.UpsertAll(
            TestObjects.Ingress("a", "team-a"),
            TestObjects.Ingress("b", "team-b"),
            TestObjects.IngressClass("portico"),
            TestObjects.IngressClass("other"));

        var ingresses = await Client.NetworkingV1.ListIngressForAllNamespacesAsync();
        var classes = await Client.NetworkingV1.ListIngressClassAsync();
        var teamA = await Client.NetworkingV1.ListNamespacedIngressAsync("team-a");

        Assert.Multiple(() =>
        {
            Assert.That(ingresses.Items.Select(i => $"{i.Metadata.NamespaceProperty}/{i.Metadata.Name}"), Is.EqualTo(new[] { "team-a/a", "team-b/b" }));
            Assert.That(classes.Items.Select(c => c.Metadata.Name), Is.EqualTo(new[] { "other", "portico" }));
            Assert.That(classes.Items.Select(c => c.Metadata.NamespaceProperty), Is.All.Null);
            Assert.That(teamA.Items.Select(i => i.Metadata.Name), Is.EqualTo(new[] { "a" }));
        });
    }
}
