using Portico.TestSupport;

namespace Portico.Nginx.Tests;

/// <summary>
/// Ingress path semantics, served by real nginx (DESIGN.md §3): Exact and Prefix, element-wise prefixes, Exact
/// before Prefix, longest prefix regardless of manifest order, trailing slashes, case, query strings, and never a
/// redirect. Every request that matches no path goes to the default backend "fallback". Twice: as the hosts' own
/// server blocks route, and as the default server's Lua routes them from the live file while the reload that
/// brings their server blocks is in flight (the same semantics, implemented a second time).
/// </summary>
[TestFixture(false)]
[TestFixture(true)]
public sealed class PathMatchingTests(bool beforeTheReload)
{
    private const string Host = "paths.test";
    private const string RootHost = "root.test";

    private static readonly string[] Services =
        ["exact", "foo", "foobar", "foobarbaz", "same-exact", "same-prefix", "slash", "case", "dir-exact", "p", "pq-exact", "impl", "root-exact", "root-prefix", "fallback"];

    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _scenario = await NginxScenario.StartAsync(Services, backends =>
        {
            // The younger Ingress comes first in the manifest, and within it the longer prefix comes first:
            // neither order may matter.
            var younger = Kube.Ingress("paths-b", ageRank: 2)
                .WithPath(Host, "/foo/bar/baz", "Prefix", "foobarbaz", 80)
                .WithPath(Host, "/same", "Exact", "same-exact", 80)
                .WithPath(Host, "/foo/bar", "Prefix", "foobar", 80);
            var older = Kube.Ingress("paths-a", ageRank: 1)
                .WithPath(Host, "/exact", "Exact", "exact", 80)
                .WithPath(Host, "/foo", "Prefix", "foo", 80)
                .WithPath(Host, "/same", "Prefix", "same-prefix", 80)
                .WithPath(Host, "/slash/", "Prefix", "slash", 80)
                .WithPath(Host, "/Case", "Prefix", "case", 80)
                .WithPath(Host, "/dir/", "Exact", "dir-exact", 80)
                .WithPath(Host, "/p", "Prefix", "p", 80)
                .WithPath(Host, "/p/q/", "Exact", "pq-exact", 80)
                .WithPath(Host, "/impl", "ImplementationSpecific", "impl", 80)
                .WithPath(RootHost, "/", "Prefix", "root-prefix", 80)
                .WithPath(RootHost, "/", "Exact", "root-exact", 80);
            var fallback = Kube.Ingress("fallback", ageRank: 0).WithDefaultBackend("fallback", 80);
            return [younger, older, fallback, .. Services.SelectMany(s => NginxScenario.Service(s, [backends[s]]))];
        }, notYetReloaded: beforeTheReload ? o => o.Metadata.Name is "paths-a" or "paths-b" : null);
        Assert.That(_scenario.Result.Diagnostics, Is.Empty, _scenario.RenderedText);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    // Exact: the path and nothing else.
    [TestCase("/exact", "exact")]
    [TestCase("/exact/", "fallback")]
    [TestCase("/exact/x", "fallback")]
    [TestCase("/exactly", "fallback")]
    [TestCase("/EXACT", "fallback")]
    // Prefix element by element: /foo, /foo/, /foo/bar, never /foobar.
    [TestCase("/foo", "foo")]
    [TestCase("/foo/", "foo")]
    [TestCase("/foo/x", "foo")]
    [TestCase("/foo/x/y/", "foo")]
    [TestCase("/foobar", "fallback")]
    [TestCase("/fo", "fallback")]
    // Longest prefix wins, whatever the order in the manifest.
    [TestCase("/foo/bar", "foobar")]
    [TestCase("/foo/bar/", "foobar")]
    [TestCase("/foo/bar/x", "foobar")]
    [TestCase("/foo/barx", "foo")]
    [TestCase("/foo/bar/baz", "foobarbaz")]
    [TestCase("/foo/bar/baz/", "foobarbaz")]
    [TestCase("/foo/bar/baz/q", "foobarbaz")]
    [TestCase("/foo/bar/bazz", "foobar")]
    // Exact beats Prefix on the same path.
    [TestCase("/same", "same-exact")]
    [TestCase("/same/", "same-prefix")]
    [TestCase("/same/x", "same-prefix")]
    // A trailing slash in a Prefix rule is ignored.
    [TestCase("/slash", "slash")]
    [TestCase("/slash/", "slash")]
    [TestCase("/slash/x", "slash")]
    [TestCase("/slashx", "fallback")]
    // Paths are case-sensitive.
    [TestCase("/Case", "case")]
    [TestCase("/Case/x", "case")]
    [TestCase("/case", "fallback")]
    [TestCase("/CASE/x", "fallback")]
    // An Exact path with a trailing slash matches only itself; without the slash the request is not redirected.
    [TestCase("/dir/", "dir-exact")]
    [TestCase("/dir", "fallback")]
    [TestCase("/dir/x", "fallback")]
    [TestCase("/p", "p")]
    [TestCase("/p/q/", "pq-exact")]
    [TestCase("/p/q", "p")]
    [TestCase("/p/q/r", "p")]
    // ImplementationSpecific is Prefix.
    [TestCase("/impl", "impl")]
    [TestCase("/impl/", "impl")]
    [TestCase("/impl/x", "impl")]
    [TestCase("/implx", "fallback")]
    // No root rule on this host: the default backend.
    [TestCase("/", "fallback")]
    [TestCase("/nothing", "fallback")]
    public async Task A_request_path_goes_to_the_backend_the_Ingress_rules_say(string path, string expected)
    {
        var response = await _scenario.GetAsync(Host, path);
        AssertServedBy(response, expected);
        Assert.That(response.Echo.Target, Is.EqualTo(path), "the path reaches the backend unchanged");
    }

    [TestCase("/", "root-exact")]
    [TestCase("/?q=1", "root-exact")]
    [TestCase("/x", "root-prefix")]
    [TestCase("/x/", "root-prefix")]
    public async Task Exact_root_beats_the_root_prefix_and_there_is_no_default_backend_left_to_reach(string target, string expected)
    {
        var response = await _scenario.GetAsync(RootHost, target);
        AssertServedBy(response, expected);
        Assert.That(response.Echo.Target, Is.EqualTo(target));
    }

    [TestCase("/exact?x=1", "exact")]
    [TestCase("/exact?/foo", "exact")]
    [TestCase("/same?q=/x", "same-exact")]
    [TestCase("/foo?to=/foo/bar", "foo")]
    [TestCase("/foo/bar?x=/foo/bar/baz", "foobar")]
    [TestCase("/foobar?/foo", "fallback")]
    [TestCase("/nothing?path=/exact", "fallback")]
    [TestCase("/dir?x=1", "fallback")]
    public async Task Query_strings_take_no_part_in_matching_and_reach_the_backend(string target, string expected)
    {
        var response = await _scenario.GetAsync(Host, target);
        AssertServedBy(response, expected);
        Assert.That(response.Echo.Target, Is.EqualTo(target));
    }

    /// <summary>
    /// nginx answers 301 by itself for a request equal to a proxied location name minus its trailing slash. Every
    /// path shape Portico renders is probed for it: nothing may redirect.
    /// </summary>
    [TestCase("/foo")]
    [TestCase("/foo/bar")]
    [TestCase("/foo/bar/baz")]
    [TestCase("/slash")]
    [TestCase("/same")]
    [TestCase("/dir")]
    [TestCase("/p/q")]
    [TestCase("/Case")]
    public async Task No_path_ever_answers_with_a_redirect(string path)
    {
        var response = await _scenario.GetAsync(Host, path);
        Assert.That(response.StatusCode, Is.EqualTo(200), response.ToString());
        Assert.That(response.Location, Is.Null, "nginx must not redirect: " + response);
    }

    internal static void AssertServedBy(TestSupport.Nginx.ProxyResponse response, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(200), response.ToString());
            Assert.That(response.Location, Is.Null, "no redirect: " + response);
            Assert.That(response.Backend, Is.EqualTo(expected), response.ToString());
        });
    }
}
