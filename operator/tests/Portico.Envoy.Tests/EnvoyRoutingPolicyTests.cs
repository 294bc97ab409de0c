namespace Portico.Envoy.Tests;

/// <summary>
/// The routing policies of the shared case policy-routing as Envoy reads its (strictly parsed) route table: regex
/// precedence against Exact and Prefix paths, and the path each rewrite forwards, the same as nginx forwards
/// (Portico.Nginx.Tests PolicyRoutingTests).
/// </summary>
public sealed class EnvoyRoutingPolicyTests
{
    private static readonly EnvoyParsed Parsed = new(EnvoyCases.RenderShared("policy-routing").Config);

    [TestCase("/api/v1", "cluster default_other_80")]
    [TestCase("/api/v1/x", "cluster default_app_80")]
    [TestCase("/api/v22", "cluster default_app_80")]
    [TestCase("/api/v1/special/deep/x", "cluster default_other_80")]
    [TestCase("/api/vx", "cluster default_other_80")]
    [TestCase("/static/a", "cluster default_other_80")]
    [TestCase("/API/v1/x", "cluster default_other_80")]
    public void Regex_paths_take_their_place_in_the_model_order(string path, string expected) =>
        Assert.That(EnvoyRoutingModel.Route(Parsed.HttpRoutes, "regex.test", path), Is.EqualTo(expected));

    // ingress-nginx's published example: path /something(/|$)(.*), rewrite-target /$2.
    [TestCase("rewrite.test", "/something", "/")]
    [TestCase("rewrite.test", "/something/", "/")]
    [TestCase("rewrite.test", "/something/new", "/new")]
    [TestCase("rewrite.test", "/something/a/b", "/a/b")]
    [TestCase("shop.test", "/old", "/new")]
    [TestCase("shop.test", "/old/", "/new/")]
    [TestCase("shop.test", "/old/x/y", "/new/x/y")]
    [TestCase("strip.test", "/strip", "/")]
    [TestCase("strip.test", "/strip/", "/")]
    [TestCase("strip.test", "/strip/x", "/x")]
    public void Rewrites_forward_the_documented_path(string host, string path, string forwarded) =>
        Assert.That(EnvoyRoutingModel.Rewritten(EnvoyRoutingModel.FirstMatch(Parsed.HttpRoutes, host, path), path), Is.EqualTo(forwarded));

    [TestCase("moved.test", "/a?b=1", "redirect 301 https://new.test:8443/a?b=1")]
    [TestCase("docs.test", "/docs/x?q=1", "redirect 302 http://docs.test/manual?q=1")]
    [TestCase("perm.test", "/x?y=1", "redirect 308 https://example.com/landing?from=perm")]
    [TestCase("approot.test", "/?x=1", "redirect 302 http://approot.test/app")]
    [TestCase("approot.test", "/other", "cluster default_app_80")]
    [TestCase("www.site.test", "/p?q=1", "redirect 308 http://site.test/p?q=1")]
    public void Redirects_carry_the_right_location_and_code(string host, string pathAndQuery, string expected) =>
        Assert.That(EnvoyRoutingModel.Route(Parsed.HttpRoutes, host, pathAndQuery), Is.EqualTo(expected));
}
