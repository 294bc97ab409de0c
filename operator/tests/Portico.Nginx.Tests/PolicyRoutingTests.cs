using k8s;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Nginx.Tests;

/// <summary>
/// Routing policies on a real nginx, with and without Lua endpoints, and before the reload (through the live
/// routing): regex paths in their place among Exact and Prefix paths, rewrites reaching the backend (the echo shows
/// the path it received), redirects with their Location and code, app-root and from-to-www. Hosts with regex routes,
/// rewrites or redirects wait for their own server block (the live host table holds plain routes only): before the
/// reload they get what an unknown host gets, never served without their rewrite or redirect. Hostile regex paths and
/// rewrite targets are refused with a diagnostic naming object and field, while everything else is served.
/// </summary>
[TestFixture(true, false)]
[TestFixture(false, false)]
[TestFixture(true, true)]
public sealed class PolicyRoutingTests(bool luaEndpoints, bool beforeTheReload)
{
    private const string Annotation = "nginx.ingress.kubernetes.io/";

    /// <summary>Regex paths (use-regex) and rewrite targets no config file may see; each Ingress also has a good path on its own host.</summary>
    private static readonly (string Name, string? RegexPath, string? RewriteTarget)[] Hostile =
    [
        ("crlf", "/a\r\nreturn 200 x;", null),
        ("semicolon", "/a;return 200 x", null),
        ("brace-open", "/a{", null),
        ("brace-close", "/a}", null),
        ("quote", "/a\"b", null),
        ("single-quote", "/a'b", null),
        ("hash", "/a#b", null),
        ("nul", "/a\0b", null),
        ("line-separator", "/a\u2028b", null),
        ("space", "/a b", null),
        ("huge", "/" + new string('a', 5000), null),
        ("backreference", "/(a)\\1", null),
        ("lookahead", "/(?=a)", null),
        ("target-variable", "/x(.*)", "/$host"),
        ("target-semicolon", "/x(.*)", "/a;return 200 x"),
        ("target-crlf", "/x(.*)", "/a\r\nb"),
        ("target-brace", "/x(.*)", "/a{b}"),
        ("target-quote", "/x(.*)", "/a\"b"),
        ("target-hash", "/x(.*)", "/a#b"),
        ("target-nul", "/x(.*)", "/a\0b"),
        ("target-separator", "/x(.*)", "/a\u2029b"),
        ("target-huge", "/x(.*)", "/" + new string('a', 5000)),
        ("target-missing-group", "/x(.*)", "/$2"),
    ];

    private NginxScenario _scenario = null!;

    private static IngressPolicy Policy(string name, string target, RewritePolicy? rewrite = null, RedirectPolicy? redirect = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new IngressPolicySpec
        {
            TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target },
            Rewrite = rewrite,
            Redirect = redirect,
        },
    };

    private static V1Ingress Regex(V1Ingress ingress) => ingress.WithAnnotation(Annotation + "use-regex", "true");

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> HostileIngresses()
    {
        foreach (var (name, path, target) in Hostile)
        {
            var ingress = Regex(Kube.Ingress("hostile-" + name).WithPath($"{name}.hostile.test", path, "ImplementationSpecific", "app", 80).WithPath($"{name}.hostile.test", "/good", "Prefix", "app", 80));
            yield return target is null ? ingress : ingress.WithAnnotation(Annotation + "rewrite-target", target);
        }
    }

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync(["app", "other"], backends =>
        [
            // ingress-nginx's published rewrite example.
            Regex(Kube.Ingress("rewrite").WithPath("rewrite.test", "/something(/|$)(.*)", "ImplementationSpecific", "app", 80))
                .WithAnnotation(Annotation + "rewrite-target", "/$2"),
            // A regex path (and a Prefix one, which use-regex makes a regex too) among another Ingress's Exact and Prefix paths.
            Regex(Kube.Ingress("regex")
                .WithPath("regex.test", "/api/v[0-9]+", "ImplementationSpecific", "app", 80)
                .WithPath("regex.test", "/v[0-9]/(a|b)$", "Prefix", "app", 80)),
            Kube.Ingress("regex-plain")
                .WithPath("regex.test", "/api/v1", "Exact", "other", 80)
                .WithPath("regex.test", "/api/v1/special/deep", "Prefix", "other", 80)
                .WithPath("regex.test", "/", "Prefix", "other", 80),
            Kube.Ingress("old").WithPath("shop.test", "/old", "Prefix", "app", 80),
            Policy("old-to-new", "old", rewrite: new RewritePolicy { ReplacePrefixMatch = "/new/" }),
            Kube.Ingress("strip").WithPath("strip.test", "/strip", "Prefix", "app", 80),
            Policy("strip-prefix", "strip", rewrite: new RewritePolicy { ReplacePrefixMatch = "/" }),
            Kube.Ingress("moved").WithPath("moved.test", "/", "Prefix", "app", 80),
            Policy("moved-away", "moved", redirect: new RedirectPolicy { Scheme = "https", Hostname = "new.test", Port = 8443, StatusCode = 301 }),
            Kube.Ingress("docs").WithPath("docs.test", "/docs", "Prefix", "app", 80),
            Policy("docs-manual", "docs", redirect: new RedirectPolicy { Path = "/manual" }),
            Kube.Ingress("perm").WithPath("perm.test", "/", "Prefix", "app", 80)
                .WithAnnotation(Annotation + "permanent-redirect", "https://example.com/landing?from=perm"),
            Kube.Ingress("temp").WithPath("temp.test", "/", "Prefix", "app", 80)
                .WithAnnotation(Annotation + "temporal-redirect", "https://example.com/later"),
            Kube.Ingress("approot").WithPath("approot.test", "/", "Prefix", "app", 80).WithAnnotation(Annotation + "app-root", "/app"),
            Kube.Ingress("www").WithPath("site.test", "/", "Prefix", "app", 80).WithAnnotation(Annotation + "from-to-www-redirect", "true"),
            Kube.Ingress("plain").WithPath("plain.test", "/", "Prefix", "other", 80),
            .. HostileIngresses(),
            .. NginxScenario.Service("app", [backends["app"]]),
            .. NginxScenario.Service("other", [backends["other"]]),
        ],
        configure: settings => settings with { NginxLuaEndpoints = luaEndpoints },
        notYetReloaded: beforeTheReload ? o => o is V1Ingress or IngressPolicy : null,
        explainChecked: !beforeTheReload);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [TestCase("/api/v1", "other")]
    [TestCase("/api/v1/x", "app")]
    [TestCase("/api/v22/users", "app")]
    [TestCase("/api/v1/special/deep", "other")]
    [TestCase("/api/v1/special/deep/x", "other")]
    [TestCase("/api/vx", "other")]
    [TestCase("/API/v2", "other")]
    [TestCase("/x/api/v2", "other")]
    [TestCase("/api/v1/special/deeper", "app")]
    [TestCase("/v2/a", "app")]
    [TestCase("/v2/a/", "other")]
    [TestCase("/v2/c", "other")]
    public async Task Regex_paths_take_their_place_among_exact_and_prefix_paths(string path, string backend)
    {
        var response = await _scenario.GetAsync("regex.test", path);
        if (WaitsForTheReload(response))
        {
            return;
        }

        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, (string?)backend)), response.ToString());
        Assert.That(response.Echo.Target, Is.EqualTo(path), "a regex path without rewrite forwards the path unchanged");
    }

    // ingress-nginx's documentation: "rewrite.bar.com/something rewrites to rewrite.bar.com/", "/something/ to /",
    // "/something/new to /new". The query is kept.
    [TestCase("rewrite.test", "/something", "/")]
    [TestCase("rewrite.test", "/something/", "/")]
    [TestCase("rewrite.test", "/something/new", "/new")]
    [TestCase("rewrite.test", "/something/new?q=1", "/new?q=1")]
    [TestCase("shop.test", "/old", "/new")]
    [TestCase("shop.test", "/old/", "/new/")]
    [TestCase("shop.test", "/old/x/y?z=1", "/new/x/y?z=1")]
    [TestCase("strip.test", "/strip", "/")]
    [TestCase("strip.test", "/strip/", "/")]
    [TestCase("strip.test", "/strip/x", "/x")]
    public async Task Rewrites_reach_the_backend_with_the_rewritten_path(string host, string path, string forwarded)
    {
        var response = await _scenario.GetAsync(host, path);
        if (WaitsForTheReload(response))
        {
            return;
        }

        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, (string?)"app")), response.ToString());
        Assert.That(response.Echo.Target, Is.EqualTo(forwarded), response.ToString());
    }

    [Test]
    public async Task A_path_the_regex_does_not_match_is_not_rewritten_elsewhere()
    {
        var response = await _scenario.GetAsync("rewrite.test", "/somethingelse");
        if (WaitsForTheReload(response))
        {
            return;
        }

        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((404, (string?)null)), response.ToString());
    }

    [TestCase("moved.test", "/a/b?c=1", 301, "https://new.test:8443/a/b?c=1")]
    [TestCase("docs.test", "/docs/x?q=1", 302, "http://docs.test/manual?q=1")]
    [TestCase("docs.test", "/docs", 302, "http://docs.test/manual")]
    [TestCase("perm.test", "/any?x=1", 301, "https://example.com/landing?from=perm")]
    [TestCase("temp.test", "/any", 302, "https://example.com/later")]
    [TestCase("approot.test", "/", 302, "http://approot.test/app")]
    [TestCase("www.site.test", "/p?q=1", 308, "http://site.test/p?q=1")]
    public async Task Redirects_carry_the_right_location_and_code(string host, string path, int status, string location)
    {
        var response = await _scenario.GetAsync(host, path);
        if (WaitsForTheReload(response))
        {
            return;
        }

        Assert.That((response.StatusCode, response.Location, response.Backend), Is.EqualTo((status, (string?)location, (string?)null)), response.ToString());
    }

    // site.test itself has plain routes only (its www name holds the redirect), so the live routing serves it early.
    [TestCase("approot.test", "/app", false)]
    [TestCase("site.test", "/p", true)]
    public async Task Beside_a_redirect_the_other_paths_and_names_are_served(string host, string path, bool plainRoutesOnly)
    {
        var response = await _scenario.GetAsync(host, path);
        if (!plainRoutesOnly && WaitsForTheReload(response))
        {
            return;
        }

        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, (string?)"app")), response.ToString());
    }

    [Test]
    public async Task A_host_without_routing_policies_is_served_in_every_mode()
    {
        var response = await _scenario.GetAsync("plain.test", "/x");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, (string?)"other")), response.ToString());
    }

    [Test]
    public void Every_hostile_regex_path_and_rewrite_target_is_refused_with_a_diagnostic_naming_object_and_field()
    {
        var diagnostics = _scenario.Result.Diagnostics;
        var missing = Hostile
            .Where(h => !diagnostics.Any(d => d.Severity == Severity.Error && d.Target == new ObjectRef("Ingress", "default", "hostile-" + h.Name)
                && (h.RewriteTarget is null || h.Name == "target-missing-group" ? d.Field == "spec.rules[0].http.paths[0].path" : d.Field == Annotation + "rewrite-target")))
            .Select(h => h.Name)
            .ToList();
        Assert.That(missing, Is.Empty, string.Join("\n", diagnostics));
    }

    [Test]
    public void No_hostile_text_reaches_a_rendered_file()
    {
        string rendered = _scenario.RenderedText;
        foreach (string marker in new[] { "return 200 x", "/a{", "/a}", "/a\"b", "/a'b", "/a#b", "/a b", "\"/$host", "(?=a)", "\\1", new string('a', 300) })
        {
            Assert.That(rendered, Does.Not.Contain(marker));
        }

        Assert.That(rendered.Any(c => c is '\0' or '\u2028' or '\u2029'), Is.False);
    }

    // use-regex makes "/good" (Prefix) a regex too, so before the reload these hosts wait like the others.
    [TestCase("crlf")]
    [TestCase("huge")]
    [TestCase("target-variable")]
    public async Task An_Ingress_with_a_refused_path_or_target_keeps_its_other_paths(string name)
    {
        var response = await _scenario.GetAsync($"{name}.hostile.test", "/good");
        if (WaitsForTheReload(response))
        {
            return;
        }

        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, (string?)"app")), response.ToString());
    }

    /// <summary>
    /// Before the reload (live routing in the default server) every host here but plain.test and site.test has regex routes, rewrites or redirects, so it waits for its server block:
    /// it gets the unknown host's 404, never a route without its policy. Returns true when that was checked.
    /// </summary>
    private bool WaitsForTheReload(TestSupport.Nginx.ProxyResponse response)
    {
        if (!beforeTheReload)
        {
            return false;
        }

        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((404, (string?)null)), response.ToString());
        return true;
    }
}
