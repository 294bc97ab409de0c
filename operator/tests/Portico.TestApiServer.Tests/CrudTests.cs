using System.Net;
using k8s;
using k8s.Models;
using Portico.TestApiServer.Tests.Support;

namespace Portico.TestApiServer.Tests;

/// <summary>Create, get, list (namespaced and all), update, patch and delete of every served resource, through the client.</summary>
public sealed class CrudTests : ApiServerTest
{
    private static readonly V1Patch AnnotationPatch = new("""{"metadata":{"annotations":{"patched":"yes"}}}""", V1Patch.PatchType.MergePatch);

    [Test]
    public Task Ingresses() => RunAsync(new Crud<V1Ingress>(
        (name, ns) => TestObjects.Ingress(name, ns!),
        (c, o, ns) => c.NetworkingV1.CreateNamespacedIngressAsync(o, ns),
        (c, name, ns) => c.NetworkingV1.ReadNamespacedIngressAsync(name, ns),
        async (c, ns) => (await c.NetworkingV1.ListNamespacedIngressAsync(ns)).Items,
        async c => (await c.NetworkingV1.ListIngressForAllNamespacesAsync()).Items,
        (c, o, name, ns) => c.NetworkingV1.ReplaceNamespacedIngressAsync(o, name, ns),
        (c, p, name, ns) => c.NetworkingV1.PatchNamespacedIngressAsync(p, name, ns),
        (c, name, ns) => c.NetworkingV1.DeleteNamespacedIngressAsync(name, ns)));

    [Test]
    public Task IngressClasses() => RunAsync(new Crud<V1IngressClass>(
        (name, _) => TestObjects.IngressClass(name),
        (c, o, _) => c.NetworkingV1.CreateIngressClassAsync(o),
        (c, name, _) => c.NetworkingV1.ReadIngressClassAsync(name),
        async (c, _) => (await c.NetworkingV1.ListIngressClassAsync()).Items,
        async c => (await c.NetworkingV1.ListIngressClassAsync()).Items,
        (c, o, name, _) => c.NetworkingV1.ReplaceIngressClassAsync(o, name),
        (c, p, name, _) => c.NetworkingV1.PatchIngressClassAsync(p, name),
        (c, name, _) => c.NetworkingV1.DeleteIngressClassAsync(name))
    {
        Namespaced = false,
    });

    [Test]
    public Task Services() => RunAsync(new Crud<V1Service>(
        (name, ns) => TestObjects.Service(name, ns!),
        (c, o, ns) => c.CoreV1.CreateNamespacedServiceAsync(o, ns),
        (c, name, ns) => c.CoreV1.ReadNamespacedServiceAsync(name, ns),
        async (c, ns) => (await c.CoreV1.ListNamespacedServiceAsync(ns)).Items,
        async c => (await c.CoreV1.ListServiceForAllNamespacesAsync()).Items,
        (c, o, name, ns) => c.CoreV1.ReplaceNamespacedServiceAsync(o, name, ns),
        (c, p, name, ns) => c.CoreV1.PatchNamespacedServiceAsync(p, name, ns),
        (c, name, ns) => c.CoreV1.DeleteNamespacedServiceAsync(name, ns)));

    [Test]
    public Task Secrets() => RunAsync(new Crud<V1Secret>(
        (name, ns) => TestObjects.Secret(name, ns!),
        (c, o, ns) => c.CoreV1.CreateNamespacedSecretAsync(o, ns),
        (c, name, ns) => c.CoreV1.ReadNamespacedSecretAsync(name, ns),
        async (c, ns) => (await c.CoreV1.ListNamespacedSecretAsync(ns)).Items,
        async c => (await c.CoreV1.ListSecretForAllNamespacesAsync()).Items,
        (c, o, name, ns) => c.CoreV1.ReplaceNamespacedSecretAsync(o, name, ns),
        (c, p, name, ns) => c.CoreV1.PatchNamespacedSecretAsync(p, name, ns),
        (c, name, ns) => c.CoreV1.DeleteNamespacedSecretAsync(name, ns)));

    [Test]
    public Task EndpointSlices() => RunAsync(new Crud<V1EndpointSlice>(
        (name, ns) => TestObjects.Slice(name, "web", ns!, "10.0.0.1"),
        (c, o, ns) => c.DiscoveryV1.CreateNamespacedEndpointSliceAsync(o, ns),
        (c, name, ns) => c.DiscoveryV1.ReadNamespacedEndpointSliceAsync(name, ns),
        async (c, ns) => (await c.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns)).Items,
        async c => (await c.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync()).Items,
        (c, o, name, ns) => c.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(o, name, ns),
        (c, p, name, ns) => c.DiscoveryV1.PatchNamespacedEndpointSliceAsync(p, name, ns),
        (c, name, ns) => c.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(name, ns)));

    [Test]
    public Task Leases() => RunAsync(new Crud<V1Lease>(
        (name, ns) => TestObjects.Lease(name, ns!),
        (c, o, ns) => c.CoordinationV1.CreateNamespacedLeaseAsync(o, ns),
        (c, name, ns) => c.CoordinationV1.ReadNamespacedLeaseAsync(name, ns),
        async (c, ns) => (await c.CoordinationV1.ListNamespacedLeaseAsync(ns)).Items,
        async c => (await c.CoordinationV1.ListLeaseForAllNamespacesAsync()).Items,
        (c, o, name, ns) => c.CoordinationV1.ReplaceNamespacedLeaseAsync(o, name, ns),
        (c, p, name, ns) => c.CoordinationV1.PatchNamespacedLeaseAsync(p, name, ns),
        (c, name, ns) => c.CoordinationV1.DeleteNamespacedLeaseAsync(name, ns)));

    [Test]
    public Task CoreEvents() => RunAsync(new Crud<Corev1Event>(
        (name, ns) => TestObjects.CoreEvent(name, ns!, "web"),
        (c, o, ns) => c.CoreV1.CreateNamespacedEventAsync(o, ns),
        (c, name, ns) => c.CoreV1.ReadNamespacedEventAsync(name, ns),
        async (c, ns) => (await c.CoreV1.ListNamespacedEventAsync(ns)).Items,
        async c => (await c.CoreV1.ListEventForAllNamespacesAsync()).Items,
        (c, o, name, ns) => c.CoreV1.ReplaceNamespacedEventAsync(o, name, ns),
        (c, p, name, ns) => c.CoreV1.PatchNamespacedEventAsync(p, name, ns),
        (c, name, ns) => c.CoreV1.DeleteNamespacedEventAsync(name, ns)));

    [Test]
    public Task EventsV1Events() => RunAsync(new Crud<Eventsv1Event>(
        (name, ns) => TestObjects.Event(name, ns!, "web"),
        (c, o, ns) => c.EventsV1.CreateNamespacedEventAsync(o, ns),
        (c, name, ns) => c.EventsV1.ReadNamespacedEventAsync(name, ns),
        async (c, ns) => (await c.EventsV1.ListNamespacedEventAsync(ns)).Items,
        async c => (await c.EventsV1.ListEventForAllNamespacesAsync()).Items,
        (c, o, name, ns) => c.EventsV1.ReplaceNamespacedEventAsync(o, name, ns),
        (c, p, name, ns) => c.EventsV1.PatchNamespacedEventAsync(p, name, ns),
        (c, name, ns) => c.EventsV1.DeleteNamespacedEventAsync(name, ns)));

    [Test]
    public Task Namespaces() => RunAsync(new Crud<V1Namespace>(
        (name, _) => TestObjects.Namespace(name),
        (c, o, _) => c.CoreV1.CreateNamespaceAsync(o),
        (c, name, _) => c.CoreV1.ReadNamespaceAsync(name),
        async (c, _) => (await c.CoreV1.ListNamespaceAsync()).Items,
        async c => (await c.CoreV1.ListNamespaceAsync()).Items,
        (c, o, name, _) => c.CoreV1.ReplaceNamespaceAsync(o, name),
        (c, p, name, _) => c.CoreV1.PatchNamespaceAsync(p, name),
        (c, name, _) => c.CoreV1.DeleteNamespaceAsync(name))
    {
        Namespaced = false,
    });

    [Test]
    public async Task Create_fills_in_system_metadata_from_the_servers_clock()
    {
        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");

        Assert.Multiple(() =>
        {
            Assert.That(Guid.TryParse(created.Metadata.Uid, out _), Is.True, "uid");
            Assert.That(created.Metadata.ResourceVersion, Is.EqualTo(Server.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(created.Metadata.Generation, Is.EqualTo(1));
            Assert.That(created.Metadata.CreationTimestamp, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(created.Metadata.NamespaceProperty, Is.EqualTo("default"));
        });
    }

    [Test]
    public async Task Deleting_a_service_returns_the_object_and_deleting_others_returns_a_success_status()
    {
        await Client.CoreV1.CreateNamespacedServiceAsync(TestObjects.Service("web"), "default");
        await Client.CoreV1.CreateNamespacedSecretAsync(TestObjects.Secret("creds"), "default");

        var service = await Client.CoreV1.DeleteNamespacedServiceAsync("web", "default");
        var status = await Client.CoreV1.DeleteNamespacedSecretAsync("creds", "default");

        Assert.Multiple(() =>
        {
            Assert.That(service.Metadata.Name, Is.EqualTo("web"));
            Assert.That(service.Spec.Ports.Single().Port, Is.EqualTo(80));
            Assert.That(status.Status, Is.EqualTo("Success"));
            Assert.That(status.Details.Name, Is.EqualTo("creds"));
            Assert.That(status.Details.Kind, Is.EqualTo("secrets"));
        });
    }

    [Test]
    public async Task Missing_objects_are_404_NotFound_with_a_status_naming_them()
    {
        var (code, status) = await FailureOf(() => Client.NetworkingV1.ReadNamespacedIngressAsync("nope", "default"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(status.Kind, Is.EqualTo("Status"));
            Assert.That(status.Status, Is.EqualTo("Failure"));
            Assert.That(status.Reason, Is.EqualTo("NotFound"));
            Assert.That(status.Code, Is.EqualTo(404));
            Assert.That(status.Message, Is.EqualTo("ingresses.networking.k8s.io \"nope\" not found"));
            Assert.That(status.Details.Name, Is.EqualTo("nope"));
            Assert.That(status.Details.Group, Is.EqualTo("networking.k8s.io"));
            Assert.That(status.Details.Kind, Is.EqualTo("ingresses"));
        });
    }

    [Test]
    public async Task Creating_an_existing_object_is_409_AlreadyExists()
    {
        await Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default");

        var (code, status) = await FailureOf(() => Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web"), "default"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(status.Reason, Is.EqualTo("AlreadyExists"));
            Assert.That(status.Message, Is.EqualTo("ingresses.networking.k8s.io \"web\" already exists"));
        });
    }

    [Test]
    public async Task A_namespace_in_the_body_must_match_the_path()
    {
        var (code, status) = await FailureOf(() => Client.NetworkingV1.CreateNamespacedIngressAsync(TestObjects.Ingress("web", "other"), "default"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(status.Reason, Is.EqualTo("BadRequest"));
        });
    }

    [Test]
    public async Task GenerateName_gets_a_random_suffix()
    {
        var ingress = TestObjects.Ingress(null!);
        ingress.Metadata.GenerateName = "web-";

        var created = await Client.NetworkingV1.CreateNamespacedIngressAsync(ingress, "default");

        Assert.That(created.Metadata.Name, Does.Match("^web-[a-z0-9]{5}$"));
    }

    private async Task RunAsync<T>(Crud<T> crud)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var ns = crud.Namespaced ? "team-a" : null;
        var created = await crud.Create(Client, crud.Build("first", ns), ns!);
        await crud.Create(Client, crud.Build("second", ns), ns!);
        if (crud.Namespaced)
        {
            Server.Upsert(crud.Build("elsewhere", "team-b"));
        }

        var read = await crud.Read(Client, "first", ns!);
        var namespaced = await crud.ListNamespaced(Client, ns!);
        var all = await crud.ListAll(Client);

        Assert.Multiple(() =>
        {
            Assert.That(created.Metadata.Uid, Is.Not.Null.And.Not.Empty);
            Assert.That(created.Metadata.ResourceVersion, Is.Not.Null.And.Not.Empty);
            Assert.That(created.Metadata.CreationTimestamp, Is.Not.Null);
            Assert.That(read.Metadata.Uid, Is.EqualTo(created.Metadata.Uid));
            Assert.That(read.Metadata.ResourceVersion, Is.EqualTo(created.Metadata.ResourceVersion));
            Assert.That(namespaced.Select(o => o.Metadata.Name), Is.EqualTo(new[] { "first", "second" }));
            Assert.That(all.Select(o => o.Metadata.Name), Is.EqualTo(crud.Namespaced ? new[] { "first", "second", "elsewhere" } : new[] { "first", "second" }));
        });

        read.Metadata.Labels = new Dictionary<string, string> { ["updated"] = "yes" };
        var replaced = await crud.Replace(Client, read, "first", ns!);
        var patched = await crud.Patch(Client, AnnotationPatch, "first", ns!);

        Assert.Multiple(() =>
        {
            Assert.That(long.Parse(replaced.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture),
                Is.GreaterThan(long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(replaced.Metadata.Labels["updated"], Is.EqualTo("yes"));
            Assert.That(replaced.Metadata.Uid, Is.EqualTo(created.Metadata.Uid));
            Assert.That(patched.Metadata.Annotations["patched"], Is.EqualTo("yes"));
            Assert.That(patched.Metadata.Labels["updated"], Is.EqualTo("yes"), "a merge patch keeps what it does not mention");
            Assert.That(patched.Metadata.ResourceVersion, Is.Not.EqualTo(replaced.Metadata.ResourceVersion));
        });

        await crud.Delete(Client, "first", ns!);
        var (code, _) = await FailureOf(() => crud.Read(Client, "first", ns!));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Server.Get<T>(ns, "first"), Is.Null);
            Assert.That(Server.Get<T>(ns, "second"), Is.Not.Null);
        });
    }

    /// <summary>The client calls for one resource; the namespace argument is ignored for cluster-scoped ones.</summary>
    private sealed record Crud<T>(
        Func<string, string?, T> Build,
        Func<IKubernetes, T, string, Task<T>> Create,
        Func<IKubernetes, string, string, Task<T>> Read,
        Func<IKubernetes, string, Task<IList<T>>> ListNamespaced,
        Func<IKubernetes, Task<IList<T>>> ListAll,
        Func<IKubernetes, T, string, string, Task<T>> Replace,
        Func<IKubernetes, V1Patch, string, string, Task<T>> Patch,
        Func<IKubernetes, string, string, Task> Delete)
    {
        public bool Namespaced { get; init; } = true;
    }
}
