namespace Portico.Envoy.Tests;

/// <summary>
/// ingress-nginx canaries with header and cookie rules, as Envoy picks routes (the golden case "canary", read through
/// <see cref="EnvoyRoutingModel"/>): the same decisions the real-nginx suite (PolicyBalanceTests) checks — header, then
/// cookie, then the weight.
/// </summary>
public sealed class EnvoyCanaryTests
{
    private static readonly Lazy<EnvoyParsed> Parsed = new(() => new EnvoyParsed(EnvoyCases.Render("canary").Config));

    private static string Route(string host, string path, params (string Name, string Value)[] headers) =>
        EnvoyRoutingModel.Route(Parsed.Value.HttpRoutes, host, path, headers: headers.ToDictionary(h => h.Name, h => h.Value));

    private const string Weighted = "split default_blue_80 90, default_green_80 10";

    [TestCase("always", "cluster default_green_80")]
    [TestCase("never", "cluster default_blue_80")]
    [TestCase("Always", Weighted, Description = "case-sensitive: any other value falls through")]
    public void The_canary_header_decides_first(string value, string expected) =>
        Assert.That(Route("shop.test", "/", ("X-Canary", value)), Is.EqualTo(expected));

    [TestCase("canary.beta=always", "cluster default_green_80")]
    [TestCase("a=1; canary.beta=never", "cluster default_blue_80")]
    [TestCase("a=1;canary.beta=always;b=2", "cluster default_green_80")]
    [TestCase("canaryxbeta=always", Weighted, Description = "the dot in the name is no wildcard")]
    [TestCase("canary.beta=alwaysx", Weighted)]
    [TestCase("Canary.beta=always", Weighted, Description = "cookie names are case-sensitive")]
    public void The_canary_cookie_decides_after_the_header(string cookie, string expected) =>
        Assert.That(Route("shop.test", "/", ("X-Canary", "maybe"), ("Cookie", cookie)), Is.EqualTo(expected));

    [Test]
    public void The_header_wins_over_the_cookie_and_nothing_leaves_the_weight() => Assert.Multiple(() =>
    {
        Assert.That(Route("shop.test", "/", ("X-Canary", "never"), ("Cookie", "canary.beta=always")), Is.EqualTo("cluster default_blue_80"));
        Assert.That(Route("shop.test", "/"), Is.EqualTo(Weighted));
    });

    [TestCase("v2.{x} \"q\" \\ (beta)", "cluster default_green_80")]
    [TestCase("v2a{x} \"q\" \\ (beta)", "split default_blue_80 100")]
    [TestCase("always", "split default_blue_80 100", Description = "with a header value, \"always\" is just another value")]
    public void A_header_value_matches_exactly(string value, string expected) =>
        Assert.That(Route("value.test", "/api/x", ("x-env", value)), Is.EqualTo(expected));

    [Test]
    public void A_wildcard_host_keeps_its_one_label_condition_on_selector_routes() => Assert.Multiple(() =>
    {
        Assert.That(Route("a.wild.test", "/", ("Cookie", "wild=always")), Is.EqualTo("cluster default_empty_80"));
        Assert.That(Route("a.b.wild.test", "/", ("Cookie", "wild=always")), Is.EqualTo("status 404"), "two labels: the any-host routes");
        Assert.That(Parsed.Value.Cluster("default_empty_80").LoadAssignment.Endpoints.SelectMany(e => e.LbEndpoints), Is.Empty, "the canary's empty cluster answers 503");
    });
}
