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
}
