using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Kubernetes.Crds;
using Portico.Syncing;
using Portico.TestSupport;

namespace Portico.Tests.Syncing;

/// <summary>
/// In a cluster the store keeps only the Secrets something references (TLS, basic auth of annotations and policies,
/// the default certificate); others leave only their names, and a later reference reads the one Secret (a GET)
/// unless a watch event for it is newer.
/// </summary>
public sealed class SecretKeeperTests
{
    private static readonly SyncOptions Options = new() { Holdoff = TimeSpan.FromMilliseconds(100), MaxHoldoff = TimeSpan.FromMilliseconds(500) };
    private static readonly string[] Kinds = [KnownKinds.Ingress, KnownKinds.Secret, IngressPolicy.KubeKind];

    private static V1Secret Secret(string name, string ns = "default", string value = "x") => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { ["auth"] = System.Text.Encoding.ASCII.GetBytes(value) },
    };

    private static IngressPolicy BasicAuthPolicy(string name, string secret) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new IngressPolicySpec { BasicAuth = new BasicAuthPolicy { SecretRef = new LocalObjectName { Name = secret } } },
    };

    private static V1Ingress TlsIngress(string name, string secret) => Kube.Ingress(name).WithPath(name + ".test", "/", "Prefix", "web", 80).WithTls(secret, name + ".test");

    private static (ChangeBatcher Batcher, SecretKeeper Keeper) Synced(NamespacedName? defaultCertificate = null, params V1Secret[] secrets)
    {
        var keeper = new SecretKeeper(defaultCertificate);
        var batcher = new ChangeBatcher(Kinds, Options, secrets: keeper);
        batcher.Apply(new KindListed(KnownKinds.Secret, secrets), TimeSpan.Zero);
        batcher.Apply(new KindListed(KnownKinds.Ingress, []), TimeSpan.Zero);
        batcher.Apply(new KindListed(IngressPolicy.KubeKind, []), TimeSpan.Zero);
        return (batcher, keeper);
    }

    private static IEnumerable<string> Kept(ChangeBatcher batcher) => batcher.Store.Snapshot().Secrets.Keys.Select(k => k.Name).Order(StringComparer.Ordinal);

    [Test]
    public void Secrets_listed_before_the_Ingresses_that_reference_them_are_kept_without_a_read_and_the_rest_only_by_name()
    {
        var keeper = new SecretKeeper();
        var batcher = new ChangeBatcher(Kinds, Options, secrets: keeper);
        batcher.Apply(new KindListed(KnownKinds.Secret, [Secret("a-tls"), Secret("users"), Secret("unrelated"), Secret("legacy-users")]), TimeSpan.Zero);
        batcher.Apply(new KindListed(KnownKinds.Ingress, [
            TlsIngress("a", "a-tls"),
            Kube.Ingress("legacy").WithAnnotation("nginx.ingress.kubernetes.io/auth-type", "basic").WithAnnotation("nginx.ingress.kubernetes.io/auth-secret", "legacy-users")]), TimeSpan.Zero);
        batcher.Apply(new KindListed(IngressPolicy.KubeKind, [BasicAuthPolicy("login", "users")]), TimeSpan.Zero);

        Assert.That(batcher.IsSynced, Is.True);
        Assert.That(Kept(batcher), Is.EqualTo(new[] { "a-tls", "legacy-users", "users" }));
        Assert.That(keeper.TakeWanted(), Is.Empty, "nothing to read: they were held until every kind was listed");
        Assert.That(keeper.UnkeptCount, Is.EqualTo(1), "the unrelated Secret is a name, without its data");
    }

    [Test]
    public void A_Secret_referenced_after_it_was_seen_is_read_once_and_kept()
    {
        var (batcher, keeper) = Synced(null, Secret("users"));
        Assert.That(Kept(batcher), Is.Empty);

        Assert.That(batcher.Apply(new ObjectUpserted(IngressPolicy.KubeKind, BasicAuthPolicy("login", "users")), TimeSpan.Zero), Is.True);
        Assert.That(keeper.TakeWanted(), Is.EqualTo(new[] { new NamespacedName("default", "users") }));
        Assert.That(keeper.TakeWanted(), Is.Empty, "asked once");

        Assert.That(batcher.Apply(new SecretFetched(new("default", "users"), Secret("users")), TimeSpan.Zero), Is.True);
        Assert.That(Kept(batcher), Is.EqualTo(new[] { "users" }));
    }

    [Test]
    public void A_read_answer_older_than_a_watch_event_for_the_same_Secret_is_ignored()
    {
        var (batcher, keeper) = Synced(null, Secret("users", value: "old"));
        batcher.Apply(new ObjectUpserted(IngressPolicy.KubeKind, BasicAuthPolicy("login", "users")), TimeSpan.Zero);
        Assert.That(keeper.TakeWanted(), Has.Count.EqualTo(1));

        batcher.Apply(new ObjectUpserted(KnownKinds.Secret, Secret("users", value: "new")), TimeSpan.Zero);
        Assert.That(batcher.Apply(new SecretFetched(new("default", "users"), Secret("users", value: "old")), TimeSpan.Zero), Is.False);
        Assert.That(batcher.Store.Snapshot().Secrets[new("default", "users")].Data["auth"], Is.EqualTo("new"u8.ToArray()));
    }

    [Test]
    public void A_read_overtaken_while_the_reference_went_and_came_back_is_dropped_and_the_Secret_read_again()
    {
        var (batcher, keeper) = Synced(null, Secret("users", value: "old"));
        var users = new NamespacedName("default", "users");
        batcher.Apply(new ObjectUpserted(IngressPolicy.KubeKind, BasicAuthPolicy("login", "users")), TimeSpan.Zero);
        Assert.That(keeper.TakeWanted(), Is.EqualTo(new[] { users }));

        // While that GET is out: the policy goes, the password changes, the policy comes back.
        batcher.Apply(new ObjectDeleted(IngressPolicy.KubeKind, new("default", "login")), TimeSpan.Zero);
        batcher.Apply(new ObjectUpserted(KnownKinds.Secret, Secret("users", value: "new")), TimeSpan.Zero);
        batcher.Apply(new ObjectUpserted(IngressPolicy.KubeKind, BasicAuthPolicy("login", "users")), TimeSpan.Zero);
        Assert.That(keeper.TakeWanted(), Is.Empty, "one GET per Secret at a time");

        Assert.That(batcher.Apply(new SecretFetched(users, Secret("users", value: "old")), TimeSpan.Zero), Is.False, "the old password never lands");
        Assert.That(Kept(batcher), Is.Empty);
        Assert.That(keeper.TakeWanted(), Is.EqualTo(new[] { users }), "still wanted: read again");

        Assert.That(batcher.Apply(new SecretFetched(users, Secret("users", value: "new")), TimeSpan.Zero), Is.True);
        Assert.That(batcher.Store.Snapshot().Secrets[users].Data["auth"], Is.EqualTo("new"u8.ToArray()));
    }

    [Test]
    public void A_read_answer_for_a_Secret_deleted_meanwhile_does_not_bring_it_back()
    {
        var (batcher, keeper) = Synced(null, Secret("users"));
        batcher.Apply(new ObjectUpserted(IngressPolicy.KubeKind, BasicAuthPolicy("login", "users")), TimeSpan.Zero);
        keeper.TakeWanted();
        batcher.Apply(new ObjectDeleted(KnownKinds.Secret, new("default", "users")), TimeSpan.Zero);

        Assert.That(batcher.Apply(new SecretFetched(new("default", "users"), Secret("users")), TimeSpan.Zero), Is.False);
        Assert.That(Kept(batcher), Is.Empty);
    }

    [Test]
    public void Changes_of_unreferenced_Secrets_are_not_changes_and_referenced_ones_are()
    {
        var (batcher, _) = Synced(null, Secret("other"), Secret("a-tls"));
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, TlsIngress("a", "a-tls")), TimeSpan.Zero);
        batcher.Take();

        Assert.That(batcher.Apply(new ObjectUpserted(KnownKinds.Secret, Secret("other", value: "changed")), TimeSpan.Zero), Is.False);
        Assert.That(batcher.HasChanges, Is.False, "no rebuild for a Secret nothing reads");
        Assert.That(batcher.Apply(new ObjectUpserted(KnownKinds.Secret, Secret("a-tls", value: "renewed")), TimeSpan.Zero), Is.True);
    }

    [Test]
    public void A_Secret_no_longer_referenced_leaves_the_store_and_comes_back_with_a_read_when_referenced_again()
    {
        var (batcher, keeper) = Synced(null, Secret("a-tls"));
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, TlsIngress("a", "a-tls")), TimeSpan.Zero);
        Assert.That(keeper.TakeWanted(), Has.Count.EqualTo(1), "seen before the Ingress, after the initial sync: read");
        batcher.Apply(new SecretFetched(new("default", "a-tls"), Secret("a-tls")), TimeSpan.Zero);
        Assert.That(Kept(batcher), Is.EqualTo(new[] { "a-tls" }));

        Assert.That(batcher.Apply(new ObjectDeleted(KnownKinds.Ingress, new("default", "a")), TimeSpan.Zero), Is.True);
        Assert.That(Kept(batcher), Is.Empty);
        Assert.That(keeper.UnkeptCount, Is.EqualTo(1));

        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, TlsIngress("b", "a-tls")), TimeSpan.Zero);
        Assert.That(keeper.TakeWanted(), Is.EqualTo(new[] { new NamespacedName("default", "a-tls") }));
    }

    [Test]
    public void Two_references_keep_a_Secret_until_both_are_gone()
    {
        var (batcher, _) = Synced();
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, TlsIngress("a", "shared-tls")), TimeSpan.Zero);
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, TlsIngress("b", "shared-tls")), TimeSpan.Zero);
        batcher.Apply(new ObjectUpserted(KnownKinds.Secret, Secret("shared-tls")), TimeSpan.Zero);
        batcher.Apply(new ObjectDeleted(KnownKinds.Ingress, new("default", "a")), TimeSpan.Zero);
        Assert.That(Kept(batcher), Is.EqualTo(new[] { "shared-tls" }));
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("b").WithPath("b.test", "/", "Prefix", "web", 80)), TimeSpan.Zero);
        Assert.That(Kept(batcher), Is.Empty, "the Ingress dropped its TLS section");
    }

    [Test]
    public void The_default_certificate_is_always_kept_and_references_to_other_namespaces_are_not_followed()
    {
        var (batcher, keeper) = Synced(new NamespacedName("portico", "default-tls"), Secret("default-tls", ns: "portico"), Secret("users", ns: "other"));
        batcher.Apply(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("legacy")
            .WithAnnotation("nginx.ingress.kubernetes.io/auth-type", "basic").WithAnnotation("nginx.ingress.kubernetes.io/auth-secret", "other/users")), TimeSpan.Zero);

        Assert.That(batcher.Store.Snapshot().Secrets.Keys, Is.EqualTo(new[] { new NamespacedName("portico", "default-tls") }));
        Assert.That(keeper.TakeWanted(), Is.Empty);
    }

    [Test]
    public void Without_a_keeper_every_Secret_a_source_sends_is_kept_and_read_answers_are_ignored()
    {
        var batcher = new ChangeBatcher(Kinds, Options);
        batcher.Apply(new KindListed(KnownKinds.Secret, [Secret("unrelated")]), TimeSpan.Zero);
        Assert.That(batcher.Apply(new SecretFetched(new("default", "x"), Secret("x")), TimeSpan.Zero), Is.False);
        Assert.That(Kept(batcher), Is.EqualTo(new[] { "unrelated" }));
    }
}
