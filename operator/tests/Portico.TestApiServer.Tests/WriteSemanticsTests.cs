using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Portico.TestApiServer.Tests.Support;

namespace Portico.TestApiServer.Tests;

/// <summary>What the real server does on writes: status subresources, generation, optimistic concurrency, patches, validation.</summary>
public sealed class WriteSemanticsTests : ApiServerTest
{
    [Test]
    public async Task A_status_update_changes_only_the_status()
    {
        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");
        created.Status = TestObjects.LoadBalancer("192.0.2.1");
        created.Spec.Rules[0].Host = "ignored.example.com";
        created.Metadata.Labels = new Dictionary<string, string> { ["ignored"] = "yes" };

        var updated = await Client.NetworkingV1.ReplaceNamespacedIngressStatusAsync(created, "web", "default");

        Assert.Multiple(() =>
        {
            Assert.That(updated.Status.LoadBalancer.Ingress.Single().Ip, Is.EqualTo("192.0.2.1"));
            Assert.That(updated.Spec.Rules[0].Host, Is.EqualTo("example.com"), "spec changes through /status are ignored");
            Assert.That(updated.Metadata.Labels, Is.Null, "metadata changes through /status are ignored");
            Assert.That(updated.Metadata.Generation, Is.EqualTo(1));
            Assert.That(updated.Metadata.ResourceVersion, Is.Not.EqualTo(created.Metadata.ResourceVersion));
            Assert.That(Server.StatusWrites.Select(r => (r.Verb, r.Resource, r.Name)), Is.EqualTo(new[] { (ApiVerbs.Update, "ingresses", "web") }));
            Assert.That(Server.Get<V1Ingress>("default", "web")!.Status.LoadBalancer.Ingress.Single().Ip, Is.EqualTo("192.0.2.1"));
        });
    }

    [Test]
    public async Task A_status_patch_changes_only_the_status()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        var patch = new V1Patch(
            """{"spec":{"ingressClassName":"other"},"status":{"loadBalancer":{"ingress":[{"hostname":"lb.example.com"}]}}}""",
            V1Patch.PatchType.MergePatch);

        var patched = await Client.NetworkingV1.PatchNamespacedIngressStatusAsync(patch, "web", "default");

        Assert.Multiple(() =>
        {
            Assert.That(patched.Status.LoadBalancer.Ingress.Single().Hostname, Is.EqualTo("lb.example.com"));
            Assert.That(patched.Spec.IngressClassName, Is.EqualTo("portico"));
            Assert.That(Server.StatusWrites.Single().Body, Does.Contain("lb.example.com"));
        });
    }

    [Test]
    public async Task Updates_of_the_main_resource_ignore_status_and_bump_generation_only_on_spec_changes()
    {
        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");
        created.Status = TestObjects.LoadBalancer("192.0.2.1");
        created.Spec.Rules[0].Host = "changed.example.com";
        var specChanged = await Client.NetworkingV1.ReplaceNamespacedIngressAsync(created, "web", "default");
        specChanged.Metadata.Labels = new Dictionary<string, string> { ["team"] = "a" };
        var labelChanged = await Client.NetworkingV1.ReplaceNamespacedIngressAsync(specChanged, "web", "default");

        Assert.Multiple(() =>
        {
            Assert.That(specChanged.Status?.LoadBalancer?.Ingress, Is.Null.Or.Empty, "status changes through the main resource are ignored");
            Assert.That(specChanged.Spec.Rules[0].Host, Is.EqualTo("changed.example.com"));
            Assert.That(specChanged.Metadata.Generation, Is.EqualTo(2));
            Assert.That(labelChanged.Metadata.Generation, Is.EqualTo(2));
            Assert.That(labelChanged.Metadata.Labels["team"], Is.EqualTo("a"));
            Assert.That(labelChanged.Metadata.CreationTimestamp, Is.EqualTo(created.Metadata.CreationTimestamp));
        });
    }

    [Test]
    public async Task Status_given_on_create_is_dropped_for_kinds_with_a_status_subresource()
    {
        var ingress = TestObjects.Ingress("web");
        ingress.Status = TestObjects.LoadBalancer("192.0.2.1");

        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(ingress, "default");

        Assert.That(created.Status?.LoadBalancer?.Ingress, Is.Null.Or.Empty);
    }

    [Test]
    public async Task A_stale_resourceVersion_is_409_Conflict()
    {
        await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");
        var mine = await Client.NetworkingV1.ReadNamespacedIngressAsync("web", "default");
        var theirs = await Client.NetworkingV1.ReadNamespacedIngressAsync("web", "default");
        theirs.Spec.Rules[0].Host = "theirs.example.com";
        await Client.NetworkingV1.ReplaceNamespacedIngressAsync(theirs, "web", "default");
        mine.Spec.Rules[0].Host = "mine.example.com";
        mine.Status = TestObjects.LoadBalancer("192.0.2.1");

        var (code, status) = await FailureOf(() => Client.NetworkingV1.ReplaceNamespacedIngressAsync(mine, "web", "default"));
        var (statusCode, _) = await FailureOf(() => Client.NetworkingV1.ReplaceNamespacedIngressStatusAsync(mine, "web", "default"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(status.Reason, Is.EqualTo("Conflict"));
            Assert.That(status.Message, Is.EqualTo(
                "Operation cannot be fulfilled on ingresses.networking.k8s.io \"web\": the object has been modified; please apply your changes to the latest version and try again"));
            Assert.That(statusCode, Is.EqualTo(HttpStatusCode.Conflict), "the status subresource checks the resourceVersion too");
            Assert.That(Server.Get<V1Ingress>("default", "web")!.Spec.Rules[0].Host, Is.EqualTo("theirs.example.com"));
        });
    }

    [Test]
    public async Task An_update_without_resourceVersion_is_unconditional()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        var replacement = TestObjects.Ingress("web", host: "new.example.com");

        var replaced = await Client.NetworkingV1.ReplaceNamespacedIngressAsync(replacement, "web", "default");

        Assert.That(replaced.Spec.Rules[0].Host, Is.EqualTo("new.example.com"));
    }

    [Test]
    public async Task An_update_that_changes_nothing_keeps_the_resourceVersion_and_emits_no_event()
    {
        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");
        var before = Server.ResourceVersion;
        await using var watch = Record<V1Ingress>((onError, ct) => Client.NetworkingV1.WatchListNamespacedIngressAsync(
            "default", resourceVersion: created.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        await Server.WaitForWatchesAsync(1, Timeout);

        var same = await Client.NetworkingV1.ReplaceNamespacedIngressAsync(created, "web", "default");
        var sameStatus = await Client.NetworkingV1.ReplaceNamespacedIngressStatusAsync(created, "web", "default");
        Server.Upsert(TestObjects.Secret("marker"));
        Server.Upsert(TestObjects.Ingress("next"));
        var first = await watch.NextAsync();

        Assert.Multiple(() =>
        {
            Assert.That(same.Metadata.ResourceVersion, Is.EqualTo(created.Metadata.ResourceVersion));
            Assert.That(sameStatus.Metadata.ResourceVersion, Is.EqualTo(created.Metadata.ResourceVersion));
            Assert.That(Server.ResourceVersion, Is.EqualTo(before + 2), "only the two later writes took revisions");
            Assert.That((first.Type, first.Object.Metadata.Name), Is.EqualTo((WatchEventType.Added, "next")), "no MODIFIED for the no-op writes");
        });
    }

    [Test]
    public async Task Json_patches_apply_in_order_and_a_failed_test_is_422()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        var patch = new V1Patch(
            """[{"op":"add","path":"/metadata/labels","value":{"a":"1"}},{"op":"replace","path":"/spec/rules/0/host","value":"patched.example.com"},{"op":"copy","from":"/metadata/labels/a","path":"/metadata/labels/b"},{"op":"remove","path":"/metadata/labels/a"}]""",
            V1Patch.PatchType.JsonPatch);
        var failing = new V1Patch("""[{"op":"test","path":"/spec/rules/0/host","value":"nope"}]""", V1Patch.PatchType.JsonPatch);

        var patched = await Client.NetworkingV1.PatchNamespacedIngressAsync(patch, "web", "default");
        var (code, status) = await FailureOf(() => Client.NetworkingV1.PatchNamespacedIngressAsync(failing, "web", "default"));

        Assert.Multiple(() =>
        {
            Assert.That(patched.Spec.Rules[0].Host, Is.EqualTo("patched.example.com"));
            Assert.That(patched.Metadata.Labels, Is.EqualTo(new Dictionary<string, string> { ["b"] = "1" }));
            Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(status.Reason, Is.EqualTo("Invalid"));
        });
    }

    [Test]
    public async Task Strategic_merge_patches_are_applied_as_merge_patches()
    {
        Server.Upsert(TestObjects.Ingress("web", labels: new Dictionary<string, string> { ["keep"] = "yes", ["drop"] = "yes" }));
        var patch = new V1Patch("""{"metadata":{"labels":{"drop":null,"new":"yes"}}}""", V1Patch.PatchType.StrategicMergePatch);

        var patched = await Client.NetworkingV1.PatchNamespacedIngressAsync(patch, "web", "default");

        Assert.That(patched.Metadata.Labels, Is.EqualTo(new Dictionary<string, string> { ["keep"] = "yes", ["new"] = "yes" }));
    }

    [Test]
    public async Task A_patch_carrying_a_stale_resourceVersion_is_409_Conflict()
    {
        var created = Server.Upsert(TestObjects.Ingress("web"));
        Server.Upsert(TestObjects.Ingress("web", host: "moved.example.com"));
        var patch = new V1Patch(
            "{\"metadata\":{\"resourceVersion\":\"" + created.Metadata.ResourceVersion + "\",\"labels\":{\"a\":\"b\"}}}", V1Patch.PatchType.MergePatch);

        var (code, status) = await FailureOf(() => Client.NetworkingV1.PatchNamespacedIngressAsync(patch, "web", "default"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(status.Reason, Is.EqualTo("Conflict"));
        });
    }

    [Test]
    public async Task Invalid_objects_are_422_Invalid_with_a_cause_per_field()
    {
        var ingress = TestObjects.Ingress("Bad_Name");
        ingress.Spec.Rules[0].Http.Paths[0].PathType = null;

        var (code, status) = await FailureOf(() => Client.NetworkingV1.CreateNamespacedIngressAsync(ingress, "default"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(status.Reason, Is.EqualTo("Invalid"));
            Assert.That(status.Code, Is.EqualTo(422));
            Assert.That(status.Message, Does.StartWith("Ingress.networking.k8s.io \"Bad_Name\" is invalid: "));
            Assert.That(status.Details.Kind, Is.EqualTo("Ingress"));
            Assert.That(status.Details.Causes.Select(c => c.Field), Is.EqualTo(new[] { "metadata.name", "spec.rules[0].http.paths[0].pathType" }));
            Assert.That(Server.List<V1Ingress>(), Is.Empty);
        });
    }

    [Test]
    public async Task Validation_rules_added_by_a_test_reject_writes_until_removed()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        var rule = Server.AddValidation<V1Ingress>(i => i.Status?.LoadBalancer?.Ingress?.Count > 1 ? "at most one address" : null);
        var ingress = Server.Get<V1Ingress>("default", "web")!;
        ingress.Status = new V1IngressStatus
        {
            LoadBalancer = new V1IngressLoadBalancerStatus { Ingress = [new() { Ip = "192.0.2.1" }, new() { Ip = "192.0.2.2" }] },
        };

        var (code, status) = await FailureOf(() => Client.NetworkingV1.ReplaceNamespacedIngressStatusAsync(ingress, "web", "default"));
        rule.Dispose();
        var accepted = await Client.NetworkingV1.ReplaceNamespacedIngressStatusAsync(ingress, "web", "default");

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(status.Message, Does.EndWith("at most one address"));
            Assert.That(accepted.Status.LoadBalancer.Ingress, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Secret_stringData_is_stored_as_data()
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "creds" },
            StringData = new Dictionary<string, string> { ["user"] = "admin" },
        };

        var created = await Client.CoreV1.CreateNamespacedSecretAsync(secret, "default");

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(created.Data["user"]), Is.EqualTo("admin"));
            Assert.That(created.StringData, Is.Null);
        });
    }

    [Test]
    public async Task A_kubernetes_io_tls_secret_needs_a_certificate_and_key()
    {
        var secret = TestObjects.Secret("tls", type: "kubernetes.io/tls");
        secret.Data.Remove("tls.key");

        var (code, status) = await FailureOf(() => Client.CoreV1.CreateNamespacedSecretAsync(secret, "default"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(status.Details.Causes.Single().Field, Is.EqualTo("data[tls.key]"));
        });
    }

    [Test]
    public async Task Services_get_the_real_servers_defaults()
    {
        var service = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        };

        var created = await Client.CoreV1.CreateNamespacedServiceAsync(service, "default");

        Assert.Multiple(() =>
        {
            Assert.That(created.Spec.Type, Is.EqualTo("ClusterIP"));
            Assert.That(created.Spec.ClusterIP, Does.StartWith("10.96."));
            Assert.That(created.Spec.Ports[0].Protocol, Is.EqualTo("TCP"));
            Assert.That(created.Spec.Ports[0].TargetPort.Value, Is.EqualTo("80"));
        });
    }

    [Test]
    public async Task Delete_preconditions_are_checked()
    {
        var created = Server.Upsert(TestObjects.Ingress("web"));

        var (code, _) = await FailureOf(() => Client.NetworkingV1.DeleteNamespacedIngressAsync(
            "web", "default", new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "someone-else" } }));
        var deleted = await Client.NetworkingV1.DeleteNamespacedIngressAsync(
            "web", "default", new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = created.Metadata.Uid } });

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(deleted.Details.Uid, Is.EqualTo(created.Metadata.Uid));
            Assert.That(Server.Get<V1Ingress>("default", "web"), Is.Null);
        });
    }

    [Test]
    public async Task A_dry_run_stores_nothing()
    {
        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default", dryRun: "All");

        Assert.Multiple(() =>
        {
            Assert.That(created.Metadata.Name, Is.EqualTo("web"));
            Assert.That(Server.Get<V1Ingress>("default", "web"), Is.Null);
            Assert.That(Server.ResourceVersion, Is.Zero);
        });
    }

    [Test]
    public async Task Server_side_apply_is_415_Unsupported()
    {
        Server.Upsert(TestObjects.Ingress("web"));
        var apply = new V1Patch("""{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web"}}""", V1Patch.PatchType.ApplyPatch);

        var (code, status) = await FailureOf(() => Client.NetworkingV1.PatchNamespacedIngressAsync(apply, "web", "default", fieldManager: "test"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
            Assert.That(status.Reason, Is.EqualTo("UnsupportedMediaType"));
        });
    }

    [Test]
    public async Task Every_write_takes_the_next_global_resourceVersion()
    {
        var ingress = await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");
        var secret = await Client.CoreV1.CreateNamespacedSecretAsync(TestObjects.Secret("creds"), "default");
        var lease = await Client.CoordinationV1.CreateNamespacedLeaseAsync(TestObjects.Lease("lock"), "default");

        Assert.That(
            new[] { ingress, secret, (IMetadata<V1ObjectMeta>)lease }.Select(o => long.Parse(o.Metadata.ResourceVersion, CultureInfo.InvariantCulture)),
            Is.EqualTo(new long[] { 1, 2, 3 }));
    }
}
