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
}
