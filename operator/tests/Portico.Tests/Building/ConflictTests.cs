using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Building;

public sealed class ConflictTests : BuilderTestBase
{
    [Test]
    public void Paths_from_many_Ingresses_merge_into_one_host()
    {
        var a = Kube.Ingress("a").WithPath("shop.test", "/cart", "Prefix", "web", 80);
        var b = Kube.Ingress("b", ns: "other").WithPath("shop.test", "/search", "Prefix", "web", 80);
        var model = Build([a, b, .. Web(), .. Web(ns: "other")]);
        Assert.That(HostOf(model, "shop.test")!.Routes.Select(r => (r.Match.Path, r.Source!.Name)), Is.EquivalentTo(new[] { ("/cart", "a"), ("/search", "b") }));
        Assert.That(model.Diagnostics, Is.Empty);
    }

    [Test]
    public void The_oldest_Ingress_wins_a_host_path_and_type_and_the_loser_is_told_who_holds_it()
    {
        var young = Kube.Ingress("aaa-young", ageRank: 10).WithPath("shop.test", "/cart", "Prefix", "young", 80);
        var old = Kube.Ingress("zzz-old", ageRank: 1).WithPath("shop.test", "/cart", "Prefix", "old", 80);
        var model = Build([young, old, .. Web("young"), .. Web("old")]);
        Assert.That(RoutesOf(model, "shop.test"), Is.EqualTo(new[] { "Prefix /cart -> default_old_80" }));
        var loser = model.Diagnostics.Single();
        Assert.That(loser.Target.Name, Is.EqualTo("aaa-young"));
        Assert.That(loser.Field, Is.EqualTo("spec.rules[0].http.paths[0]"));
        Assert.That(loser.Message, Does.Contain("Ingress default/zzz-old"));
    }

    [Test]
    public void With_equal_age_namespace_then_name_decides()
    {
        var b = Kube.Ingress("b", ns: "a").WithPath("shop.test", "/", "Prefix", "b", 80);
        var a = Kube.Ingress("a", ns: "b").WithPath("shop.test", "/", "Prefix", "a", 80);
        var model = Build([a, b, .. Web("a", "b"), .. Web("b", "a")]);
        Assert.That(HostOf(model, "shop.test")!.Routes.Single().Source, Is.EqualTo(new ObjectRef("Ingress", "a", "b")));
    }

    [Test]
    public void An_Ingress_without_creation_time_counts_as_newest()
    {
        var undated = Kube.Ingress("a-undated");
        undated.Metadata.CreationTimestamp = null;
        undated.WithPath("shop.test", "/", "Prefix", "undated", 80);
        var dated = Kube.Ingress("z-dated", ageRank: 100).WithPath("shop.test", "/", "Prefix", "dated", 80);
        var model = Build([undated, dated, .. Web("undated"), .. Web("dated")]);
        Assert.That(HostOf(model, "shop.test")!.Routes.Single().Source!.Name, Is.EqualTo("z-dated"));
    }

    [Test]
    public void Exact_and_Prefix_on_the_same_path_are_different_claims()
    {
        var a = Kube.Ingress("a", ageRank: 1).WithPath("shop.test", "/cart", "Prefix", "web", 80);
        var b = Kube.Ingress("b", ageRank: 2).WithPath("shop.test", "/cart", "Exact", "web", 80);
        var model = Build([a, b, .. Web()]);
        Assert.That(HostOf(model, "shop.test")!.Routes, Has.Length.EqualTo(2));
        Assert.That(model.Diagnostics, Is.Empty);
    }

    [TestCase("/cart", "Prefix", "/cart/", "Prefix")]
    [TestCase("/cart", "Prefix", "/cart", "ImplementationSpecific")]
    public void Claims_that_mean_the_same_match_conflict(string firstPath, string firstType, string secondPath, string secondType)
    {
        var a = Kube.Ingress("a", ageRank: 1).WithPath("shop.test", firstPath, firstType, "web", 80);
        var b = Kube.Ingress("b", ageRank: 2).WithPath("shop.test", secondPath, secondType, "web", 80);
        var model = Build([a, b, .. Web()]);
        Assert.That(HostOf(model, "shop.test")!.Routes.Single().Source!.Name, Is.EqualTo("a"));
        Assert.That(model.Diagnostics.Single().Target.Name, Is.EqualTo("b"));
    }

    [Test]
    public void The_same_path_on_different_hosts_does_not_conflict()
    {
        var a = Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80).WithPath("*.a.test", "/", "Prefix", "web", 80);
        var b = Kube.Ingress("b").WithPath("b.test", "/", "Prefix", "web", 80).WithPath(null, "/", "Prefix", "web", 80);
        var model = Build([a, b, .. Web()]);
        Assert.That(model.VirtualHosts.Count(v => v.Routes.Length == 1), Is.EqualTo(4));
        Assert.That(model.Diagnostics, Is.Empty);
    }

    [Test]
    public void A_duplicate_path_within_one_Ingress_keeps_the_first()
    {
        var a = Kube.Ingress("a").WithPath("a.test", "/x", "Prefix", "first", 80).WithPath("a.test", "/x", "Prefix", "second", 80);
        var model = Build([a, .. Web("first"), .. Web("second")]);
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix /x -> default_first_80" }));
        Assert.That(model.Diagnostics.Single().Message, Does.Contain("an earlier path of this Ingress"));
    }

    [Test]
    public void The_oldest_default_backend_wins_and_later_ones_are_told()
    {
        var old = Kube.Ingress("old", ageRank: 1).WithDefaultBackend("first", 80);
        var young = Kube.Ingress("young", ageRank: 2).WithDefaultBackend("second", 80);
        var model = Build([young, old, .. Web("first"), .. Web("second")]);
        Assert.That(model.DefaultBackend!.Action.Upstream, Is.EqualTo("default_first_80"));
        var diagnostic = model.Diagnostics.Single();
        Assert.That((diagnostic.Target.Name, diagnostic.Field), Is.EqualTo(("young", "spec.defaultBackend")));
    }

    [Test]
    public void Without_any_default_backend_the_model_has_none()
    {
        Assert.That(Build([Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), .. Web()]).DefaultBackend, Is.Null);
    }
}
