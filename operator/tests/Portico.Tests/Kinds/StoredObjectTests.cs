using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.TestSupport;

namespace Portico.Tests.Kinds;

/// <summary>The store keeps what Portico reads: managedFields and kubectl's last-applied copy are dropped on arrival, and a re-send that differs only in them is no change.</summary>
public sealed class StoredObjectTests
{
    private static V1Ingress Applied(string lastApplied, string resourceVersion)
    {
        var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80)
            .WithAnnotation(StoredObject.LastAppliedAnnotation, lastApplied)
            .WithAnnotation("nginx.ingress.kubernetes.io/ssl-redirect", "false");
        ingress.Metadata.ResourceVersion = resourceVersion;
        ingress.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Apply", FieldsType = "FieldsV1", FieldsV1 = new { f = new string('x', 10_000) } }];
        return ingress;
    }

    [Test]
    public void The_store_keeps_an_object_without_managedFields_or_the_last_applied_copy_but_with_its_other_annotations()
    {
        var store = new ObjectStore();
        Assert.That(store.Upsert(Applied("{\"big\":1}", "1")), Is.True);
        var kept = store.Snapshot().Ingresses.Single().Value;
        Assert.That(kept.Metadata.ManagedFields, Is.Null);
        Assert.That(kept.Metadata.Annotations.Keys, Is.EqualTo(new[] { "nginx.ingress.kubernetes.io/ssl-redirect" }));
    }

    [Test]
    public void A_new_version_that_differs_only_in_what_is_dropped_is_no_change()
    {
        var store = new ObjectStore();
        store.Upsert(Applied("{\"big\":1}", "1"));
        Assert.That(store.Upsert(Applied("{\"big\":2}", "2")), Is.False);
        var changed = Applied("{\"big\":3}", "3").WithAnnotation("nginx.ingress.kubernetes.io/ssl-redirect", "true");
        Assert.That(store.Upsert(changed), Is.True, "a change of an annotation Portico reads still counts");
    }

    [Test]
    public void Lists_read_from_JSON_are_kept_at_their_length_with_their_items()
    {
        string json = """{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-1","namespace":"ns"},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]},{"addresses":["10.0.0.3"]}],"ports":[{"port":8080}]}""";
        var slice = (V1EndpointSlice)KnownKinds.Deserialize(System.Text.Encoding.UTF8.GetBytes(json), typeof(V1EndpointSlice));
        Assert.That(((List<string>)slice.Endpoints[0].Addresses).Capacity, Is.GreaterThan(1), "the deserializer leaves room (else this test proves nothing)");

        var store = new ObjectStore();
        store.Upsert(slice);
        var kept = store.Snapshot().EndpointSlices.Single().Value;

        Assert.Multiple(() =>
        {
            Assert.That(kept.Endpoints.Select(e => e.Addresses.Single()), Is.EqualTo(new[] { "10.0.0.1", "10.0.0.2", "10.0.0.3" }));
            Assert.That(kept.Endpoints.Select(e => ((List<string>)e.Addresses).Capacity), Is.All.EqualTo(1));
            Assert.That(((List<V1Endpoint>)kept.Endpoints).Capacity, Is.EqualTo(3));
            Assert.That(((List<Discoveryv1EndpointPort>)kept.Ports).Capacity, Is.EqualTo(1));
        });
    }

    [Test]
    public void Metadata_only_other_tools_read_is_dropped_and_what_Portico_reads_is_kept()
    {
        var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80)
            .WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m")
            .WithAnnotation("ingress.kubernetes.io/ssl-redirect", "false")
            .WithAnnotation("kubernetes.io/ingress.class", "portico")
            .WithAnnotation("meta.helm.sh/release-name", "shop")
            .WithAnnotation("argocd.argoproj.io/tracking-id", "shop:networking.k8s.io/Ingress:default/web");
        ingress.Metadata.Uid = "0b2c1d3e-4f50-4a61-8b72-93a4b5c6d7e8";
        ingress.Metadata.Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "shop", ["helm.sh/chart"] = "shop-1.2.3" };
        ingress.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Thing", Name = "owner", Uid = "u" }];
        ingress.Metadata.Finalizers = ["example.com/keep"];

        var slice = Kube.Slice("web", null, 8080, ["10.0.0.1"]);
        slice.Metadata.Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web", ["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io", ["app.kubernetes.io/name"] = "shop" };
        slice.Endpoints[0].TargetRef = new V1ObjectReference { Kind = "Pod", Name = "web-abc", Uid = "u" };
        slice.Endpoints[0].NodeName = "node-1";
        slice.Endpoints[0].Zone = "zone-a";

        var policy = new Core.Kubernetes.Crds.IngressPolicy { Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default", Uid = "0b2c1d3e-4f50-4a61-8b72-93a4b5c6d7e9" }, Spec = new() };

        var store = new ObjectStore();
        store.Upsert(ingress);
        store.Upsert(slice);
        store.Upsert(policy);
        var snapshot = store.Snapshot();
        var keptIngress = snapshot.Ingresses.Single().Value;
        var keptSlice = snapshot.EndpointSlices.Single().Value;
        Assert.Multiple(() =>
        {
            Assert.That(keptIngress.Metadata.Annotations.Keys, Is.EquivalentTo(new[] { "nginx.ingress.kubernetes.io/proxy-body-size", "ingress.kubernetes.io/ssl-redirect", "kubernetes.io/ingress.class" }));
            Assert.That((keptIngress.Metadata.Uid, keptIngress.Metadata.Labels, keptIngress.Metadata.OwnerReferences, keptIngress.Metadata.Finalizers), Is.EqualTo(((string?)null, (IDictionary<string, string>?)null, (IList<V1OwnerReference>?)null, (IList<string>?)null)));
            Assert.That(keptSlice.Metadata.Labels, Is.EqualTo(new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" }));
            Assert.That((keptSlice.Endpoints[0].TargetRef, keptSlice.Endpoints[0].NodeName, keptSlice.Endpoints[0].Zone), Is.EqualTo(((V1ObjectReference?)null, (string?)null, (string?)null)));
            Assert.That(keptSlice.Endpoints[0].Addresses, Is.EqualTo(new[] { "10.0.0.1" }));
            Assert.That(snapshot.Of<Core.Kubernetes.Crds.IngressPolicy>().Single().Value.Metadata.Uid, Is.EqualTo("0b2c1d3e-4f50-4a61-8b72-93a4b5c6d7e9"), "the policy binder reads its uid");
        });
    }

    [Test]
    public void An_edit_of_only_labels_or_foreign_annotations_is_no_change()
    {
        V1Ingress Version(string resourceVersion, string label, string helm)
        {
            var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80).WithAnnotation("meta.helm.sh/release-name", helm);
            ingress.Metadata.ResourceVersion = resourceVersion;
            ingress.Metadata.Labels = new Dictionary<string, string> { ["team"] = label };
            return ingress;
        }

        var store = new ObjectStore();
        Assert.That(store.Upsert(Version("1", "a", "one")), Is.True);
        Assert.That(store.Upsert(Version("2", "b", "two")), Is.False, "nothing Portico reads changed");
        Assert.That(store.Upsert(Version("3", "b", "two").WithAnnotation("nginx.ingress.kubernetes.io/ssl-redirect", "true")), Is.True);
    }
}
