using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Manifests;
using Portico.TestSupport;
using Portico.TestSupport.Kinds;

namespace Portico.Tests.Kinds;

/// <summary>
/// The registry of kinds: what Portico reads by default (with the watch details it always had), and how a kind
/// added through a registry alone is stored, snapshotted and read from manifests.
/// </summary>
public sealed class KindRegistryTests
{
    [Test]
    public void The_default_kinds_are_the_five_built_in_ones_and_the_optional_IngressPolicy()
    {
        var kinds = KindRegistry.Default.Kinds.Select(k => (k.Kind, k.ApiVersion, k.Resource, k.Namespaced, k.Requirement, k.Api, k.FieldSelector, k.Type));
        Assert.That(kinds, Is.EqualTo(new[]
        {
            (KnownKinds.IngressClass, "networking.k8s.io/v1", "ingressclasses", false, KindRequirement.Required, KindApi.Typed, (string?)null, typeof(V1IngressClass)),
            (KnownKinds.Ingress, "networking.k8s.io/v1", "ingresses", true, KindRequirement.Required, KindApi.Typed, null, typeof(V1Ingress)),
            (KnownKinds.Service, "v1", "services", true, KindRequirement.Required, KindApi.Typed, null, typeof(V1Service)),
            (KnownKinds.EndpointSlice, "discovery.k8s.io/v1", "endpointslices", true, KindRequirement.Required, KindApi.Typed, null, typeof(V1EndpointSlice)),
            (KnownKinds.Secret, "v1", "secrets", true, KindRequirement.Required, KindApi.Typed, null, typeof(V1Secret)),
            ("IngressPolicy", "portico.dev/v1alpha1", "ingresspolicies", true, KindRequirement.Optional, KindApi.CustomObjects, null, typeof(Portico.Core.Kubernetes.Crds.IngressPolicy)),
        }));
    }

    [Test]
    public void KnownKinds_answers_from_the_registry()
    {
        Assert.That(KnownKinds.TypeOf("networking.k8s.io/v1", "Ingress"), Is.EqualTo(typeof(V1Ingress)));
        Assert.That(KnownKinds.TypeOf("networking.k8s.io/v1beta1", "Ingress"), Is.Null);
        Assert.That(KnownKinds.IsKnownKindName("EndpointSlice"), Is.True);
        Assert.That(KnownKinds.IsKnownKindName("Widget"), Is.False);
        Assert.That(KnownKinds.IsNamespaced(typeof(V1IngressClass)), Is.False);
        var service = KnownKinds.Deserialize("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"}}"""u8, typeof(V1Service));
        Assert.That(service, Is.TypeOf<V1Service>().And.Property("Metadata").Property("Name").EqualTo("web"));
    }

    [Test]
    public void A_registry_refuses_a_kind_twice()
    {
        Assert.That(() => new KindRegistry([TestKinds.Widget, TestKinds.Widget with { }]), Throws.ArgumentException);
        Assert.That(TestKinds.WithWidgets().With(TestKinds.Widget with { Requirement = KindRequirement.Optional }).Find("Widget")!.Requirement, Is.EqualTo(KindRequirement.Optional), "With replaces an entry of the same name");
    }

    [Test]
    public void A_registered_kind_is_stored_and_snapshotted_beside_the_built_ins()
    {
        var store = new ObjectStore(TestKinds.WithWidgets());
        Assert.That(store.Apply(new KindListed("Widget", [Widget.Create("a", "red"), Widget.Create("b", "blue")])), Is.True);
        store.Upsert(Kube.Ingress("web"));
        var before = store.Snapshot();

        Assert.That(store.Upsert(Widget.Create("a", "red")), Is.False, "an unchanged object is no change");
        Assert.That(store.Delete("Widget", new NamespacedName("default", "b")), Is.True);
        var after = store.Snapshot();

        Assert.That(before.Of<Widget>().Keys.Select(k => k.Name), Is.EquivalentTo(new[] { "a", "b" }), "a snapshot never changes");
        Assert.That(after.Of<Widget>().Keys.Select(k => k.Name), Is.EqualTo(new[] { "a" }));
        Assert.That(after.Ingresses, Has.Count.EqualTo(1));
        Assert.That(after.ObjectCount, Is.EqualTo(2));
        Assert.That(store.Count("Widget"), Is.EqualTo(1));
        Assert.That(() => new ObjectStore().Upsert(Widget.Create("a", "red")), Throws.ArgumentException, "the default store does not keep test kinds");
        Assert.That(() => ClusterSnapshot.Empty.Of<Widget>(), Throws.ArgumentException);
    }

    [Test]
    public void Snapshots_are_built_without_a_store_too()
    {
        var snapshot = ClusterSnapshot.From([Kube.Service("web")]).With(Kube.Ingress("shop"));
        Assert.That(snapshot.Services.Keys.Single().Name, Is.EqualTo("web"));
        Assert.That(snapshot.Ingresses.Keys.Single().Name, Is.EqualTo("shop"));
        Assert.That(ClusterSnapshot.Empty.ObjectCount, Is.Zero);
    }

    [Test]
    public void Manifests_of_a_registered_kind_are_read_with_that_registry_only()
    {
        const string Yaml = """
            apiVersion: test.portico.dev/v1
            kind: Widget
            metadata:
              name: w
            spec:
              color: teal
            """;
        var read = ManifestReader.ReadString(Yaml, kinds: TestKinds.WithWidgets());
        var widget = (Widget)read.Objects.Single().Value;
        Assert.That((widget.Metadata.NamespaceProperty, widget.Spec.Color), Is.EqualTo(("default", "teal")), "namespaced: defaulted like kubectl");
        Assert.That(ManifestReader.ReadString(Yaml).Objects, Is.Empty, "Portico's own registry skips it");
    }
}
