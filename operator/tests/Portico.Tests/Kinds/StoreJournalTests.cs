using Portico.Core.Kubernetes;
using Portico.TestSupport;

namespace Portico.Tests.Kinds;

/// <summary>
/// A snapshot tells which keys of a kind changed since an older snapshot of the same store (the store's journal):
/// upserts that change something, deletions and relists; never a guess — "unknown" (null) for snapshots it cannot
/// relate: another store, a snapshot made with <see cref="ClusterSnapshot.With"/>, or one older than the journal keeps.
/// </summary>
public sealed class StoreJournalTests
{
    [Test]
    public void The_keys_changed_between_two_snapshots_of_one_store_are_listed_by_kind()
    {
        var store = new ObjectStore();
        store.Upsert(Kube.Slice("web", null, 80, ["10.0.0.1"], name: "web-a"));
        store.Upsert(Kube.Slice("web", null, 80, ["10.0.0.2"], name: "web-b"));
        var before = store.Snapshot();
        Assert.That(before.ChangedSince(before, KnownKinds.EndpointSlice), Is.Empty);

        store.Upsert(Kube.Slice("web", null, 80, ["10.0.0.3"], name: "web-a"));
        store.Upsert(Kube.Slice("web", null, 80, ["10.0.0.2"], name: "web-b")); // the same content: no change
        store.Upsert(Kube.Service("web"));
        store.Delete(KnownKinds.EndpointSlice, new NamespacedName("default", "web-c")); // not there: no change
        var middle = store.Snapshot();
        store.Replace(KnownKinds.EndpointSlice, [Kube.Slice("web", null, 80, ["10.0.0.3"], name: "web-a")]); // web-b goes
        var after = store.Snapshot();

        Assert.That(middle.ChangedSince(before, KnownKinds.EndpointSlice), Is.EquivalentTo(new[] { new NamespacedName("default", "web-a") }));
        Assert.That(middle.ChangedSince(before, KnownKinds.Service), Is.EquivalentTo(new[] { new NamespacedName("default", "web") }));
        Assert.That(after.ChangedSince(middle, KnownKinds.EndpointSlice), Is.EquivalentTo(new[] { new NamespacedName("default", "web-b") }));
        Assert.That(after.ChangedSince(before, KnownKinds.EndpointSlice), Is.EquivalentTo(new[] { new NamespacedName("default", "web-a"), new NamespacedName("default", "web-b") }));
    }

    [Test]
    public void Snapshots_it_cannot_relate_are_unknown_not_unchanged()
    {
        var store = new ObjectStore();
        store.Upsert(Kube.Slice("web", null, 80, ["10.0.0.1"], name: "web-a"));
        var snapshot = store.Snapshot();
        var other = new ObjectStore().Snapshot();
        var with = snapshot.With(Kube.Slice("web", null, 80, ["10.0.0.9"], name: "web-a"));

        Assert.That(snapshot.ChangedSince(other, KnownKinds.EndpointSlice), Is.Null, "another store");
        Assert.That(with.ChangedSince(snapshot, KnownKinds.EndpointSlice), Is.Null, "a snapshot made with With");
        Assert.That(snapshot.ChangedSince(with, KnownKinds.EndpointSlice), Is.Null);
        Assert.That(snapshot.ChangedSince(ClusterSnapshot.Empty, KnownKinds.EndpointSlice), Is.Null);

        for (int i = 0; i <= StoreJournal.MaxLength; i++)
        {
            store.Upsert(Kube.Service($"s{i}"));
        }

        Assert.That(store.Snapshot().ChangedSince(snapshot, KnownKinds.EndpointSlice), Is.Null, "older than the journal keeps");
    }
}
