using Portico.Core.Building;
using Portico.Core.Explaining;
using Portico.Core.Model;
using Portico.Tests.Building;
using Portico.TestSupport;

namespace Portico.Tests.Explaining;

/// <summary>The explain verdict from the model: hosts as the proxies match them, routes as the model orders them, and what lost.</summary>
public sealed class RequestExplainerTests : BuilderTestBase
{
    private static readonly TestCertificates.Pem ShopCertificate = TestCertificates.Create("shop.test");

    private static ProxyModel Shop(BuildOptions? options = null) => Build(
        options ?? new BuildOptions(),
        [
            Kube.Ingress("shop", ageRank: 1)
                .WithPath("shop.test", "/", "Prefix", "web", 80)
                .WithPath("shop.test", "/cart", "Prefix", "cart", 80)
                .WithPath("shop.test", "/cart", "Exact", "cart-exact", 80)
                .WithPath("*.shop.test", "/", "Prefix", "wild", 80)
                .WithPath("empty.test", "/", "Prefix", "empty", 80)
                .WithPath("gone.test", "/", "Prefix", "missing", 80),
            Kube.Ingress("late", ageRank: 5).WithPath("shop.test", "/cart", "Prefix", "late", 80),
            Kube.Ingress("anyhost", ageRank: 2).WithPath(null, "/any", "Prefix", "web", 80).WithDefaultBackend("fallback", 80),
            Kube.Ingress("secure", ageRank: 3).WithPath("secure.test", "/", "Prefix", "web", 80).WithTls("shop-tls", "secure.test"),
            Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, ShopCertificate.Key),
            Kube.Service("empty", "default", (null, 80)),
            .. Web(), .. Web("cart", address: "10.0.0.2"), .. Web("cart-exact", address: "10.0.0.3"), .. Web("wild", address: "10.0.0.4"),
            .. Web("late", address: "10.0.0.5"), .. Web("fallback", address: "10.0.0.6"),
        ]);

    private static Explanation Explain(ProxyModel model, string url, params string[] headers) =>
        RequestExplainer.Explain(model, ExplainRequest.Parse(url, headers: headers));

    private static ProxyModel Canary() => Build(
        [
            Kube.Ingress("main", ageRank: 1).WithPath("a.test", "/", "Prefix", "web", 80),
            Kube.Ingress("canary", ageRank: 0).WithPath("a.test", "/", "Prefix", "cart", 80)
                .WithAnnotation("nginx.ingress.kubernetes.io/canary", "true")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-header", "X-Env")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-header-value", "v2")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-by-cookie", "beta")
                .WithAnnotation("nginx.ingress.kubernetes.io/canary-weight", "10"),
            .. Web(), .. Web("cart", address: "10.0.0.2"),
        ]);

    [TestCase(new string[0], null)]
    [TestCase(new[] { "x-env: v2" }, "cart")]
    [TestCase(new[] { "X-ENV: v2" }, "cart")]
    [TestCase(new[] { "X-Env: V2" }, null)]
    [TestCase(new[] { "Cookie: a=1; beta=always" }, "cart")]
    [TestCase(new[] { "Cookie: beta=never" }, "web")]
    [TestCase(new[] { "Cookie: xbeta=always" }, null)]
    [TestCase(new[] { "X-Env: v2", "Cookie: beta=never" }, "cart")]
    public void A_canary_s_selectors_decide_before_the_weights_as_the_proxies_check_them(string[] headers, string? selected)
    {
        var verdict = Explain(Canary(), "http://a.test/", headers);
        if (selected is null)
        {
            Assert.That(verdict.Reason, Does.StartWith("split by weight: ").And.Contain(RequestExplainer.NoSelectorHolds));
            Assert.That(verdict.Backend!.Service.Name, Is.EqualTo("web"), "the heaviest share");
        }
        else
        {
            Assert.That(verdict.Reason, Does.StartWith("canary selector holds: "));
            Assert.That(verdict.Backend!.Service.Name, Is.EqualTo(selected));
        }
    }

    [Test]
    public void A_forwarded_request_names_ingress_rule_path_and_the_ready_endpoints()
    {
        var verdict = Explain(Shop(), "http://shop.test/cart/items?x=1");
        Assert.That(verdict.Action, Is.EqualTo(ExplainedAction.Forward));
        Assert.That(verdict.Status, Is.Null);
        Assert.That(verdict.Backend!.Service, Is.EqualTo(new ObjectRef("Service", "default", "cart")));
        Assert.That(verdict.Backend.Port, Is.EqualTo(80));
        Assert.That(verdict.Backend.Endpoints, Is.EqualTo(new[] { "10.0.0.2:8080" }));
        Assert.That((verdict.Ingress!.Name, verdict.Rule, verdict.Path, verdict.PathType, verdict.Host), Is.EqualTo(("shop", 0, "/cart", "Prefix", "shop.test")));
    }

    [Test]
    public void The_routes_that_also_matched_lost_on_precedence_and_the_younger_claim_on_conflict()
    {
        var verdict = Explain(Shop(), "http://shop.test/cart");
        Assert.That(verdict.Backend!.Service.Name, Is.EqualTo("cart-exact"));
        Assert.That(verdict.Considered.Select(c => (c.Why, c.Host, c.Path, c.PathType)), Is.EqualTo(new[]
        {
            ("host", "", "/", "Prefix"), // the any-host matches every host: its catch-all would have served it
            ("precedence", "shop.test", "/cart", "Prefix"),
            ("precedence", "shop.test", "/", "Prefix"),
        }));

        var prefix = Explain(Shop(), "http://shop.test/cart/x");
        var conflict = prefix.Considered.Single(c => c.Why == "conflict");
        Assert.That((conflict.Ingress!.Name, conflict.Rule, conflict.Path), Is.EqualTo(("late", 0, "/cart")));
    }

    [TestCase("http://SHOP.test:8080/", "shop.test", "web")]
    [TestCase("http://shop.test./", "shop.test", "web")]
    [TestCase("http://a.shop.test/", "*.shop.test", "wild")]
    [TestCase("http://a.b.shop.test/", "", "fallback")]
    [TestCase("http://other.test/any/x", "", "web")]
    [TestCase("http://other.test/anything", "", "fallback")]
    public void Hosts_match_as_the_proxies_match_them(string url, string host, string service)
    {
        var verdict = Explain(Shop(), url);
        Assert.That((verdict.Host, verdict.Backend?.Service.Name), Is.EqualTo((host, service)));
    }

    [Test]
    public void The_host_header_wins_over_the_url_and_less_specific_hosts_are_listed_as_considered()
    {
        var verdict = Explain(Shop(), "http://127.0.0.1:8080/", "Host: a.shop.test");
        Assert.That(verdict.Host, Is.EqualTo("*.shop.test"));
        Assert.That(verdict.Considered.Select(c => (c.Why, c.Host)), Is.EqualTo(new[] { ("host", "") }));
    }

    [Test]
    public void The_default_backend_has_no_rule_index_and_the_implied_404_has_no_ingress()
    {
        var fallback = Explain(Shop(), "http://shop.test.other/x");
        Assert.That((fallback.Ingress!.Name, fallback.Rule, fallback.Field), Is.EqualTo(("anyhost", (int?)null, "spec.defaultBackend")));

        var bare = Build([Kube.Ingress("a").WithPath("a.test", "/a", "Prefix", "web", 80), .. Web()]);
        var verdict = Explain(bare, "http://a.test/b");
        Assert.That((verdict.Action, verdict.Status, verdict.Ingress, verdict.Backend), Is.EqualTo((ExplainedAction.Respond, (int?)404, (ObjectRef?)null, (ExplainedBackend?)null)));
    }

    [Test]
    public void A_backend_without_ready_endpoints_is_respond_503_naming_the_backend()
    {
        var verdict = Explain(Shop(), "http://empty.test/");
        Assert.That((verdict.Action, verdict.Status), Is.EqualTo((ExplainedAction.Respond, (int?)503)));
        Assert.That(verdict.Backend!.Service.Name, Is.EqualTo("empty"));
        Assert.That(verdict.Backend.Endpoints, Is.Empty);
        Assert.That(Explain(Shop(), "http://gone.test/").Status, Is.EqualTo(503));
    }

    [Test]
    public void A_TLS_host_over_plain_HTTP_answers_the_redirect_when_redirects_are_on()
    {
        var on = Shop(new BuildOptions { RedirectHttpToHttps = true });
        var verdict = Explain(on, "http://secure.test/a");
        Assert.That((verdict.Action, verdict.Status, verdict.Location), Is.EqualTo((ExplainedAction.Redirect, (int?)308, "https://secure.test/a")));
        Assert.That(Explain(on, "https://secure.test/a").Action, Is.EqualTo(ExplainedAction.Forward));
        Assert.That(Explain(Shop(), "http://secure.test/a").Action, Is.EqualTo(ExplainedAction.Forward));
    }

    [Test]
    public void Over_HTTPS_a_host_without_TLS_is_served_by_the_rules_without_host()
    {
        Assert.That(Explain(Shop(), "https://shop.test/").Host, Is.EqualTo(string.Empty), "shop.test has no TLS");
        Assert.That(Explain(Shop(), "https://secure.test/").Host, Is.EqualTo("secure.test"));
    }

    [TestCase("ftp://x/")]
    [TestCase("/relative")]
    public void Unusable_urls_are_refused_with_a_message(string url) =>
        Assert.That(() => ExplainRequest.Parse(url), Throws.ArgumentException.With.Message.Contains("--url"));

    [Test]
    public void The_path_is_taken_as_typed_without_query_or_fragment()
    {
        Assert.That(ExplainRequest.Parse("http://a/x/../y?q=1#f").Path, Is.EqualTo("/x/../y"));
        Assert.That(ExplainRequest.Parse("http://a?q").Path, Is.EqualTo("/"));
        Assert.That(ExplainRequest.Parse("http://[::1]:80/").Host, Is.EqualTo("[::1]"));
    }
    [Test]
    public void Rules_of_another_class_and_rejected_ones_that_would_have_matched_are_named_with_why()
    {
        var bad = Kube.Ingress("badbackend").WithPath("shop.test", "/cart", "Prefix", "web", 80);
        bad.Spec.Rules[0].Http.Paths[0].Backend.Service.Port.Number = 0;
        var model = Build(
        [
            Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "web", 80),
            Kube.Ingress("theirs", className: "other").WithPath("shop.test", "/cart", "Prefix", "web", 80),
            Kube.Ingress("Bad_Name").WithPath("shop.test", "/", "Prefix", "web", 80),
            bad,
            .. Web(),
        ]);
        var considered = Explain(model, "http://shop.test/cart/1").Considered.Select(c => (c.Why, c.Ingress?.Name, c.Path, c.Rule)).ToList();
        Assert.That(considered, Does.Contain(("class", "theirs", "/cart", (int?)0)));
        Assert.That(considered, Does.Contain(("rejected", "badbackend", "/cart", (int?)0)));
        Assert.That(considered, Does.Contain(("rejected", "Bad_Name", "/", (int?)0)));
        Assert.That(Explain(model, "http://other.test/cart").Considered.Where(c => c.Why is "class" or "rejected"), Is.Empty, "another host matches none of them");
    }
}
