using k8s;
using k8s.Models;
using Portico.Core.Explaining;
using Portico.Tests.Building;
using Portico.TestSupport;

namespace Portico.Tests.Explaining;

/// <summary>plan's route-level difference for every kind of change, and nothing for edits that route nothing differently.</summary>
public sealed class RoutePlannerTests : BuilderTestBase
{
    private static readonly TestCertificates.Pem ShopCertificate = TestCertificates.Create("shop.test");

    private static IKubernetesObject<V1ObjectMeta>[] Services =>
        [.. Web(), .. Web("web2", address: "10.0.0.2"), .. Web("fallback", address: "10.0.0.3"), Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, ShopCertificate.Key)];

    private static V1Ingress Shop(string service = "web") => Kube.Ingress("shop", ageRank: 1)
        .WithPath("shop.test", "/", "Prefix", "web", 80)
        .WithPath("shop.test", "/cart", "Prefix", service, 80);

    private static RoutePlan Plan(IKubernetesObject<V1ObjectMeta>[] before, IKubernetesObject<V1ObjectMeta>[] after)
    {
        var (a, b) = (Build([.. before, .. Services]), Build([.. after, .. Services]));
        return RoutePlanner.Plan(a, a.Diagnostics, b, b.Diagnostics);
    }

    private static string[] Changes(RoutePlan plan) => [.. plan.Routes.Select(r => $"{r.Change} {r.Host} {r.PathType} {r.Path}")];

    [Test]
    public void A_backend_switch_is_one_changed_route_naming_both_services()
    {
        var plan = Plan([Shop()], [Shop("web2")]);
        Assert.That(Changes(plan), Is.EqualTo(new[] { "Changed shop.test Prefix /cart" }));
        var route = plan.Routes.Single();
        Assert.That((route.Before!.Route.Backend!.Service.Name, route.After!.Route.Backend!.Service.Name), Is.EqualTo(("web", "web2")));
        Assert.That(plan.Summary, Is.EqualTo("0 routes added, 0 removed, 1 changed; 0 diagnostics introduced, 0 resolved"));
    }

    [Test]
    public void Paths_added_and_removed()
    {
        var more = Shop().WithPath("shop.test", "/new", "Exact", "web", 80);
        Assert.That(Changes(Plan([Shop()], [more])), Is.EqualTo(new[] { "Added shop.test Exact /new" }));
        Assert.That(Changes(Plan([more], [Shop()])), Is.EqualTo(new[] { "Removed shop.test Exact /new" }));
    }

    [Test]
    public void A_pathType_change_removes_one_route_and_adds_another()
    {
        var exact = Kube.Ingress("shop", ageRank: 1).WithPath("shop.test", "/", "Prefix", "web", 80).WithPath("shop.test", "/cart", "Exact", "web", 80);
        Assert.That(Changes(Plan([Shop()], [exact])), Is.EqualTo(new[] { "Added shop.test Exact /cart", "Removed shop.test Prefix /cart" }));
    }

    [Test]
    public void A_new_host_adds_its_routes_and_its_catch_all()
    {
        var blog = Kube.Ingress("blog", ageRank: 2).WithPath("blog.test", "/posts", "Prefix", "web", 80);
        var plan = Plan([Shop()], [Shop(), blog]);
        Assert.That(Changes(plan), Is.EqualTo(new[] { "Added blog.test Prefix /posts", "Added blog.test Prefix /" }));
        Assert.That(plan.Routes[1].After!.CatchAll, Is.True);
        Assert.That(Changes(Plan([Shop(), blog], [Shop()])), Is.EqualTo(new[] { "Removed blog.test Prefix /posts", "Removed blog.test Prefix /" }));
    }

    [Test]
    public void TLS_added_changes_every_route_of_the_host()
    {
        var plan = Plan([Shop()], [Shop().WithTls("shop-tls", "shop.test")]);
        Assert.That(Changes(plan), Is.EqualTo(new[] { "Changed shop.test Prefix /cart", "Changed shop.test Prefix /" }));
        Assert.That(plan.Routes.Select(r => (r.Before!.Certificate is null, r.After!.Certificate?.Secret.Name)), Is.All.EqualTo((true, "shop-tls")));
    }

    [Test]
    public void A_default_backend_changes_the_catch_all_of_every_host()
    {
        var fallback = Kube.Ingress("fallback").WithDefaultBackend("fallback", 80);
        var plan = Plan([Shop()], [Shop(), fallback]);
        Assert.That(Changes(plan), Is.EqualTo(new[] { "Changed  Prefix /" }));
        Assert.That((plan.Routes[0].Before!.Route.Status, plan.Routes[0].After!.Route.Backend!.Service.Name), Is.EqualTo(((int?)404, "fallback")));
    }

    [Test]
    public void A_class_change_removes_the_routes_of_the_Ingress()
    {
        var foreign = Kube.Ingress("shop", ageRank: 1, className: "other").WithPath("shop.test", "/", "Prefix", "web", 80).WithPath("shop.test", "/cart", "Prefix", "web", 80);
        Assert.That(Changes(Plan([Shop()], [foreign])), Is.EqualTo(new[] { "Removed shop.test Prefix /cart", "Removed shop.test Prefix /" }));
    }

    [Test]
    public void A_newly_rejected_path_is_removed_and_its_diagnostic_introduced()
    {
        var broken = Kube.Ingress("shop", ageRank: 1).WithPath("shop.test", "/", "Prefix", "web", 80).WithPath("shop.test", "cart", "Prefix", "web", 80);
        var plan = Plan([Shop()], [broken]);
        Assert.That(Changes(plan), Is.EqualTo(new[] { "Removed shop.test Prefix /cart" }));
        Assert.That(plan.DiagnosticsAdded.Single().Field, Does.StartWith("spec.rules[0].http.paths[1]"));
        Assert.That(RoutePlanner.Plan(Build([broken, .. Services]), Build([broken, .. Services]).Diagnostics, Build([Shop(), .. Services]), []).DiagnosticsResolved, Has.Length.EqualTo(1));
    }

    [Test]
    public void A_backend_losing_its_endpoints_is_a_change_to_respond_503_but_other_endpoint_changes_are_not()
    {
        var before = Build([Shop(), .. Services]);
        var moved = Build([Shop(), .. Web(address: "10.0.0.9"), .. Web("web2", address: "10.0.0.2"), .. Web("fallback", address: "10.0.0.3")]);
        Assert.That(RoutePlanner.Plan(before, [], moved, []).Routes, Is.Empty);
        var empty = Build([Shop(), Kube.Service("web", "default", (null, 80))]);
        Assert.That(RoutePlanner.Plan(before, [], empty, []).Routes.Select(r => r.After!.Route.Status), Is.All.EqualTo(503));
    }

    [Test]
    public void Reordering_objects_and_paths_or_adding_unrelated_objects_changes_nothing()
    {
        var reordered = Kube.Ingress("shop", ageRank: 1).WithPath("shop.test", "/cart", "Prefix", "web", 80).WithPath("shop.test", "/", "Prefix", "web", 80);
        var plan = Plan([Shop(), Kube.Ingress("other-class", className: "nginx").WithPath("x.test", "/", "Prefix", "web", 80)], [reordered, Kube.Service("unused", "default", (null, 80))]);
        Assert.That(plan.HasRouteChanges, Is.False, string.Join(", ", Changes(plan)));
        Assert.That(plan.Summary, Is.EqualTo("no route changes; 0 diagnostics introduced, 0 resolved"));
    }
}
