using Portico.Core.Kubernetes;
using Portico.Syncing;
using Portico.TestSupport;

namespace Portico.Tests.Syncing;

/// <summary>The batching rules: nothing before every kind is synced, holdoff coalesces bursts up to the maximum, no-ops are not changes.</summary>
public sealed class ChangeBatcherTests
{
    private static readonly SyncOptions Options = new() { Holdoff = TimeSpan.FromMilliseconds(100), MaxHoldoff = TimeSpan.FromMilliseconds(500) };
    private static readonly string[] Kinds = [KnownKinds.Ingress, KnownKinds.Service];

    [Test]
    public void Nothing_is_due_before_every_kind_has_been_listed()
    {
        var batcher = new ChangeBatcher(Kinds, Options);
        batcher.Apply(new KindListed(KnownKinds.Ingress, [Kube.Ingress("a")]), Ms(0));
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("b")), Ms(10));

        Assert.That(batcher.DueIn(Ms(10_000)), Is.Null);

        batcher.Apply(new KindListed(KnownKinds.Service, []), Ms(20));
        Assert.That(batcher.DueIn(Ms(20)), Is.EqualTo(Ms(100)));
    }

    [Test]
    public void An_empty_cluster_still_gets_its_first_build()
    {
        var batcher = new ChangeBatcher(Kinds, Options);
        batcher.Apply(new KindListed(KnownKinds.Ingress, []), Ms(0));
        batcher.Apply(new KindListed(KnownKinds.Service, []), Ms(0));

        Assert.That(batcher.DueIn(Ms(100)), Is.EqualTo(TimeSpan.Zero));
        var (snapshot, _) = batcher.Take();
        Assert.That(snapshot.Ingresses, Is.Empty);
        Assert.That(batcher.DueIn(Ms(1000)), Is.Null, "nothing more to publish after the batch is taken");
    }

    [Test]
    public void A_burst_is_coalesced_but_never_held_beyond_the_maximum()
    {
        var batcher = Synced();
        for (int t = 0; t <= 450; t += 50)
        {
            batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress($"i{t}")), Ms(1000 + t));
            Assert.That(batcher.DueIn(Ms(1000 + t)), Is.GreaterThan(TimeSpan.Zero), $"still coalescing at +{t} ms");
        }

        Assert.That(batcher.DueIn(Ms(1450)), Is.EqualTo(Ms(50)), "due 500 ms after the first change, not 100 ms after the last");
        var (snapshot, first) = batcher.Take();
        Assert.That(snapshot.Ingresses, Has.Count.EqualTo(10));
        Assert.That(first, Is.EqualTo(Ms(1000)));
    }

    [Test]
    public void A_quiet_change_is_due_after_the_holdoff()
    {
        var batcher = Synced();
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("a")), Ms(1000));
        Assert.That(batcher.DueIn(Ms(1050)), Is.EqualTo(Ms(50)));
    }

    [Test]
    public void The_same_resourceVersion_or_a_status_only_change_is_no_change()
    {
        var batcher = Synced();
        var ingress = Kube.Ingress("a");
        ingress.Metadata.ResourceVersion = "7";
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, ingress), Ms(1000));
        batcher.Take();

        var again = Kube.Ingress("a");
        again.Metadata.ResourceVersion = "7";
        Assert.That(batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, again), Ms(2000)), Is.False);

        var statusOnly = Kube.Ingress("a");
        statusOnly.Metadata.ResourceVersion = "8";
        statusOnly.Status = new k8s.Models.V1IngressStatus { LoadBalancer = new k8s.Models.V1IngressLoadBalancerStatus { Ingress = [new() { Ip = "10.0.0.1" }] } };
        Assert.That(batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, statusOnly), Ms(2000)), Is.False);
        Assert.That(batcher.DueIn(Ms(5000)), Is.Null);

        var changed = Kube.Ingress("a").WithPath("x.test", "/", "Prefix", "svc", 80);
        changed.Metadata.ResourceVersion = "9";
        Assert.That(batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, changed), Ms(3000)), Is.True);
    }

    [Test]
    public void A_relist_replaces_the_kind_and_removes_what_is_gone()
    {
        var batcher = Synced();
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("a")), Ms(1000));
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("b")), Ms(1000));
        batcher.Take();

        Assert.That(batcher.Apply(new KindListed(KnownKinds.Ingress, [Kube.Ingress("b")]), Ms(2000)), Is.True);
        var (snapshot, _) = batcher.Take();
        Assert.That(snapshot.Ingresses.Values.Select(i => i.Metadata.Name), Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public void A_batch_of_endpoint_changes_only_waits_the_shorter_endpoint_holdoff()
    {
        var batcher = Synced();
        batcher.Apply(Slice("10.0.0.1"), Ms(1000));
        Assert.That(batcher.DueIn(Ms(1000)), Is.EqualTo(Ms(20)));
        batcher.Apply(Slice("10.0.0.2"), Ms(1010));
        Assert.That(batcher.DueIn(Ms(1010)), Is.EqualTo(Ms(20)), "still quiet-based: a burst of endpoint changes is coalesced too");
        batcher.Take();

        batcher.Apply(Slice("10.0.0.3"), Ms(2000));
        Assert.That(batcher.DueIn(Ms(2000)), Is.EqualTo(Ms(20)), "every new endpoint-only batch is fast again");
    }

    [Test]
    public void A_batch_with_any_other_change_waits_the_full_holdoff_whichever_came_first()
    {
        var endpointsFirst = Synced();
        endpointsFirst.Apply(Slice("10.0.0.1"), Ms(1000));
        endpointsFirst.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("a")), Ms(1010));
        endpointsFirst.Apply(Slice("10.0.0.2"), Ms(1020));
        Assert.That(endpointsFirst.DueIn(Ms(1020)), Is.EqualTo(Ms(100)), "an Ingress change in the batch needs a build: the usual holdoff");

        var ingressFirst = Synced();
        ingressFirst.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("a")), Ms(1000));
        ingressFirst.Apply(Slice("10.0.0.1"), Ms(1010));
        Assert.That(ingressFirst.DueIn(Ms(1010)), Is.EqualTo(Ms(100)));
        ingressFirst.Take();
        ingressFirst.Apply(Slice("10.0.0.2"), Ms(2000));
        Assert.That(ingressFirst.DueIn(Ms(2000)), Is.EqualTo(Ms(20)), "the next batch starts afresh");
    }

    [Test]
    public void The_initial_sync_of_endpoint_slices_waits_the_full_holdoff()
    {
        var batcher = new ChangeBatcher([KnownKinds.Ingress, KnownKinds.EndpointSlice], Options);
        batcher.Apply(new KindListed(KnownKinds.Ingress, []), Ms(0));
        batcher.Apply(new KindListed(KnownKinds.EndpointSlice, [Kube.Slice("web", null, 8080, ["10.0.0.1"])]), Ms(0));
        Assert.That(batcher.DueIn(Ms(0)), Is.EqualTo(Ms(100)), "the first build is a full one");
    }

    [Test]
    public void A_change_after_a_quiet_spell_is_previewed_once_and_its_batch_is_the_same_snapshot()
    {
        var batcher = Synced();
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("a")), Ms(1000));

        var preview = batcher.TakePreview();
        Assert.That(preview, Is.Not.Null, "500 ms without a change before it: likely alone, worth preparing");
        Assert.That(preview!.Ingresses.ContainsKey(new NamespacedName("default", "a")));
        Assert.That(batcher.TakePreview(), Is.Null, "one preview per batch");
        Assert.That(batcher.DueIn(Ms(1000)), Is.EqualTo(Ms(100)), "the holdoff is unchanged: only the batch is applied");

        var (snapshot, _) = batcher.Take();
        Assert.That(snapshot, Is.SameAs(preview), "nothing came after the preview: the pipeline may use what it prepared");
    }

    [Test]
    public void A_change_after_the_preview_makes_the_batch_a_new_snapshot_and_a_no_op_does_not()
    {
        var changed = Synced();
        changed.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("a")), Ms(1000));
        var preview = changed.TakePreview();
        changed.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("b")), Ms(1050));
        var (snapshot, first) = changed.Take();
        Assert.That(snapshot, Is.Not.SameAs(preview));
        Assert.That(snapshot.Ingresses, Has.Count.EqualTo(2));
        Assert.That(first, Is.EqualTo(Ms(1000)));

        var unchanged = Synced();
        var ingress = Kube.Ingress("a");
        unchanged.Apply(new ObjectUpserted(KnownKinds.Ingress, ingress), Ms(1000));
        var before = unchanged.TakePreview();
        var statusOnly = Kube.Ingress("a");
        statusOnly.Status = new k8s.Models.V1IngressStatus { LoadBalancer = new k8s.Models.V1IngressLoadBalancerStatus { Ingress = [new k8s.Models.V1IngressLoadBalancerIngress { Ip = "192.0.2.1" }] } };
        Assert.That(unchanged.Apply(new ObjectUpserted(KnownKinds.Ingress, statusOnly), Ms(1050)), Is.False, "a status update changes nothing Portico reads");
        var (kept, _) = unchanged.Take();
        Assert.That(kept, Is.SameAs(before), "the store is as it was: the preview is still the batch");
        Assert.That(kept.Ingresses[new NamespacedName("default", "a")], Is.SameAs(ingress), "and the store kept the object it had");
    }

    [Test]
    public void Only_a_batch_after_a_quiet_spell_that_needs_a_build_is_previewed()
    {
        var soon = Synced();
        soon.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("a")), Ms(1000));
        soon.Take();
        soon.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("b")), Ms(1499));
        Assert.That(soon.TakePreview(), Is.Null, "a change 499 ms after the last one may be part of a stream of changes");

        var endpoints = Synced();
        endpoints.Apply(Slice("10.0.0.1"), Ms(1000));
        Assert.That(endpoints.TakePreview(), Is.Null, "an endpoint-only batch is cheap and due in 20 ms");
        endpoints.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("a")), Ms(1010));
        Assert.That(endpoints.TakePreview(), Is.Not.Null, "once it needs a build, it is worth preparing");

        var syncing = new ChangeBatcher(Kinds, Options);
        syncing.Apply(new KindListed(KnownKinds.Ingress, [Kube.Ingress("a")]), Ms(0));
        Assert.That(syncing.TakePreview(), Is.Null, "nothing before every kind is synced");
        syncing.Apply(new KindListed(KnownKinds.Service, []), Ms(1000));
        Assert.That(syncing.TakePreview(), Is.Null, "nor the first build");
        Assert.That(syncing.DueIn(Ms(1000)), Is.Not.Null);
    }

    private static ObjectUpserted Slice(string address) => new(KnownKinds.EndpointSlice, Kube.Slice("web", null, 8080, [address]));

    private static ChangeBatcher Synced()
    {
        var batcher = new ChangeBatcher(Kinds, Options);
        batcher.Apply(new KindListed(KnownKinds.Ingress, []), Ms(0));
        batcher.Apply(new KindListed(KnownKinds.Service, []), Ms(0));
        batcher.Take();
        return batcher;
    }

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
