using k8s;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;
using Portico.Core.Model.Policies;
using Portico.Tests.Building;
using Portico.TestSupport;

namespace Portico.Tests.Policies;

/// <summary>
/// The balance family in the builder: trafficSplit replaces the route's backends with a split (weight 0 dropped, a
/// Service without endpoints keeps its share, one left is a plain forward), ingress-nginx canaries join the main
/// route, and proxy-next-upstream becomes the route's retry rule.
/// </summary>
public sealed class BalanceBuildingTests : BuilderTestBase
{
    private static IngressPolicy Split(string target, params (string Service, int Weight)[] shares) => new()
    {
        Metadata = new V1ObjectMeta { Name = "split-" + target, NamespaceProperty = "default", CreationTimestamp = Kube.Epoch },
        Spec = new IngressPolicySpec
        {
            TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target },
            TrafficSplit = [.. shares.Select(s => new TrafficSplitBackend { Service = new ServicePortRef { Name = s.Service, Port = 80 }, Weight = s.Weight })],
        },
    };

    private static IKubernetesObject<V1ObjectMeta>[] Services() =>
        [.. Web("blue", address: "10.0.0.1"), .. Web("green", address: "10.0.0.2"), Kube.Service("empty", "default", (null, 80))];

    [Test]
    public void A_traffic_split_replaces_the_backend_keeping_the_share_of_a_service_without_endpoints()
    {
        var model = Build([Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "blue", 80), Split("web", ("blue", 8), ("green", 0), ("empty", 2)), .. Services()]);
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> default_blue_80 (8), default_empty_80 (2)" }));
        Assert.That(model.Upstreams.Select(u => u.Name), Does.Contain("default_empty_80"));
    }

    [Test]
    public void A_split_left_with_one_backend_is_a_plain_forward_and_a_missing_service_is_warned()
    {
        var model = Build([Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "blue", 80), Split("web", ("green", 1), ("missing", 3)), .. Services()]);
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> default_green_80" }));
        Assert.That(Messages(model), Has.Some.Contains("Service default/missing not found"));
    }

    [TestCase("20", "100", "Prefix / -> default_blue_80 (80), default_green_80 (20)")]
    [TestCase("3", "10", "Prefix / -> default_blue_80 (7), default_green_80 (3)")]
    [TestCase("100", "100", "Prefix / -> default_green_80")]
    public void A_canary_joins_the_main_route_by_weight(string weight, string total, string expected)
    {
        var model = Build(
        [
            Kube.Ingress("main", ageRank: 1).WithPath("a.test", "/", "Prefix", "blue", 80),
            Kube.Ingress("canary", ageRank: 0).WithPath("a.test", "/", "Prefix", "green", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary", "true")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-weight", weight)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-weight-total", total),
            .. Services(),
        ]);
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { expected }));
        Assert.That(Messages(model), Has.None.Contains("already served"));
        Assert.That(HostOf(model, "a.test")!.Routes[0].Source, Is.EqualTo(new ObjectRef("Ingress", "default", "main")));
    }

    private static SplitAction CanarySplit(params (string Name, string Value)[] annotations)
    {
        var canary = Kube.Ingress("canary", ageRank: 0).WithPath("a.test", "/", "Prefix", "green", 80).WithAnnotation("nginx.ingress.kubernetes.io/canary", "true");
        foreach (var (name, value) in annotations)
        {
            canary = canary.WithAnnotation("nginx.ingress.kubernetes.io/" + name, value);
        }

        var model = Build([Kube.Ingress("main", ageRank: 1).WithPath("a.test", "/", "Prefix", "blue", 80), canary, .. Services()]);
        Assert.That(Messages(model), Has.None.Contains("not enforced").And.None.Contains("not served"));
        return (SplitAction)HostOf(model, "a.test")!.Routes.Single().Action;
    }

    [Test]
    public void A_canary_header_sends_always_to_the_canary_and_never_to_the_main_backend_before_the_weight()
    {
        var split = CanarySplit(("canary-by-header", "X-Canary"), ("canary-weight", "30"));
        Assert.That(split.Selectors, Is.EqualTo(new[]
        {
            new SplitSelector(SelectorSource.Header, "x-canary", "always", "default_green_80"),
            new SplitSelector(SelectorSource.Header, "x-canary", "never", "default_blue_80"),
        }));
        Assert.That(split.Backends, Is.EqualTo(new[] { new WeightedUpstream("default_blue_80", 70), new WeightedUpstream("default_green_80", 30) }));
    }

    [Test]
    public void A_canary_header_value_is_the_only_header_rule_and_the_cookie_follows_the_header()
    {
        var split = CanarySplit(("canary-by-header", "x-env"), ("canary-by-header-value", "v2"), ("canary-by-cookie", "beta"));
        Assert.That(split.Selectors, Is.EqualTo(new[]
        {
            new SplitSelector(SelectorSource.Header, "x-env", "v2", "default_green_80"),
            new SplitSelector(SelectorSource.Cookie, "beta", "always", "default_green_80"),
            new SplitSelector(SelectorSource.Cookie, "beta", "never", "default_blue_80"),
        }));
    }

    [TestCase("0", "default_blue_80")]
    [TestCase("100", "default_green_80")]
    public void A_canary_with_selectors_stays_a_split_at_weight_0_and_at_the_total(string weight, string only)
    {
        // Without selectors such a canary is a plain forward; with them the selectors still need the other backend.
        var split = CanarySplit(("canary-by-cookie", "beta"), ("canary-weight", weight));
        Assert.That(split.Backends, Is.EqualTo(new[] { new WeightedUpstream(only, 100) }));
        Assert.That(split.AllUpstreams, Is.EquivalentTo(new[] { "default_blue_80", "default_green_80" }));
    }

    [Test]
    public void A_changed_canary_rule_changes_the_route_action()
    {
        var beta = CanarySplit(("canary-by-cookie", "beta"));
        var again = CanarySplit(("canary-by-cookie", "beta"));
        Assert.That(beta, Is.Not.EqualTo(CanarySplit(("canary-by-cookie", "gamma"))));
        Assert.That(beta, Is.EqualTo(again));
    }

    [TestCase("x_canary")]
    [TestCase("x.canary")]
    public void A_canary_header_nginx_would_drop_is_refused_and_the_canary_gets_nothing(string header)
    {
        var model = Build(
        [
            Kube.Ingress("main", ageRank: 1).WithPath("a.test", "/", "Prefix", "blue", 80),
            Kube.Ingress("canary", ageRank: 0).WithPath("a.test", "/", "Prefix", "green", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary", "true")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-weight", "50")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-header", header),
            .. Services(),
        ]);
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> default_blue_80" }));
        Assert.That(Messages(model), Has.Some.Contains("canary-by-header").And.Some.Contains("nginx drops headers"));
    }

    [Test]
    public void A_canary_without_a_main_route_is_not_served()
    {
        var model = Build(
        [
            Kube.Ingress("canary").WithPath("a.test", "/", "Prefix", "green", 80).WithAnnotation("nginx.ingress.kubernetes.io/canary", "true"),
            .. Services(),
        ]);
        Assert.That(RoutesOf(model, "a.test"), Is.Empty);
        Assert.That(Messages(model), Has.Some.Contains("this canary is not served: no other Ingress serves Prefix / on host a.test"));
    }

    [TestCase("off", null, "RetryRule { Attempts = 0, PerTryTimeout = , On = [] }")]
    [TestCase("error timeout", "5", "RetryRule { Attempts = 4, PerTryTimeout = , On = [ConnectFailure, Reset] }")]
    [TestCase("http_502 http_503 http_504", null, "RetryRule { Attempts = 2, PerTryTimeout = , On = [GatewayError] }")]
    [TestCase("http_500 http_502 http_503 http_504 timeout", null, "RetryRule { Attempts = 2, PerTryTimeout = , On = [ConnectFailure, ServerError] }")]
    public void Proxy_next_upstream_becomes_the_retry_rule(string on, string? tries, string expected)
    {
        var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "blue", 80).WithAnnotation("nginx.ingress.kubernetes.io/proxy-next-upstream", on);
        if (tries is not null)
        {
            ingress = ingress.WithAnnotation("nginx.ingress.kubernetes.io/proxy-next-upstream-tries", tries);
        }

        var model = Build([ingress, .. Services()]);
        Assert.That(HostOf(model, "a.test")!.Routes[0].Policy.Retries?.ToString(), Is.EqualTo(expected));
        Assert.That(Messages(model), Has.None.Contains("not enforced"));
    }

    [Test]
    public void Next_upstream_conditions_without_a_counterpart_are_warned()
    {
        var model = Build([Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "blue", 80).WithAnnotation("nginx.ingress.kubernetes.io/proxy-next-upstream", "error http_404 http_502"), .. Services()]);
        Assert.That(HostOf(model, "a.test")!.Routes[0].Policy.Retries, Is.EqualTo(new RetryRule(2, null, [RetryCondition.ConnectFailure, RetryCondition.Reset])));
        Assert.That(Messages(model), Has.Some.Contains("without a Portico counterpart are ignored (the others are enforced): http_502, http_404"));
    }
}
