using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Nginx.Tests;

/// <summary>
/// Backends, served by real nginx (DESIGN.md §3), with no default backend: unmatched requests get 404; a route
/// whose Service is missing or has no ready endpoint gets 503 and every other route keeps working; named ports
/// resolve through the EndpointSlice port name; every ready endpoint takes requests. Twice: with endpoints through
/// the Lua balancer (the default) and as upstream blocks in nginx.conf (stock nginx, nginx.luaEndpoints false); and
/// with Lua as the default server routes the host from the live file before the reload that brings its server block.
/// </summary>
[TestFixture(true, false)]
[TestFixture(false, false)]
[TestFixture(true, true)]
public sealed class BackendTests(bool luaEndpoints, bool beforeTheReload)
{
    private const string Host = "svc.test";

    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _scenario = await NginxScenario.StartAsync(["up", "named", "decoy", "many-1", "many-2", "many-3", "down"], backends =>
        {
            var ingress = Kube.Ingress("backends")
                .WithPath(Host, "/up", "Prefix", "up", 80)
                .WithPath(Host, "/down", "Prefix", "down", 80)
                .WithPath(Host, "/empty", "Prefix", "empty", 80)
                .WithPath(Host, "/missing", "Prefix", "missing", 80)
                .WithPath(Host, "/badport", "Prefix", "up", 81)
                .WithNamedPortPath(Host, "/named", "Prefix", "named", "http")
                .WithPath(Host, "/many", "Prefix", "many", 80);
            return
            [
                ingress,
                .. NginxScenario.Service("up", [backends["up"]]),
                .. NginxScenario.Service("many", [backends["many-1"], backends["many-2"], backends["many-3"]]),

                // "down" has a slice whose only endpoint is not ready; "empty" has no slice at all; "missing" has no Service.
                Kube.Service("down", "default", (null, 80)),
                Kube.Slice("down", null, backends["down"].Port, [], notReady: ["127.0.0.1"]),
                Kube.Service("empty", "default", (null, 80)),

                // "named" has port "http" (80) and port "metrics" (9090): the slice port named "http" is the one to use.
                Kube.Service("named", "default", ("metrics", 9090), ("http", 80)),
                Kube.Slice("named", "metrics", backends["decoy"].Port, ["127.0.0.1"], name: "named-metrics"),
                Kube.Slice("named", "http", backends["named"].Port, ["127.0.0.1"], name: "named-http"),
            ];
        }, configure: settings => settings with { NginxLuaEndpoints = luaEndpoints }, notYetReloaded: beforeTheReload ? o => o.Metadata.Name == "backends" : null);
    }

    [Test]
    public void The_config_carries_the_Lua_balancer_only_with_Lua_endpoints()
    {
        string conf = System.Text.Encoding.UTF8.GetString(_scenario.Result.Config["nginx.conf"]!.Content);
        Assert.That((conf.Contains("balancer_by_lua_block", StringComparison.Ordinal), conf.Contains("upstream default_up_80 {", StringComparison.Ordinal)), Is.EqualTo((luaEndpoints, !luaEndpoints)));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Test]
    public void Missing_Services_and_ports_are_warnings_naming_the_Ingress_field()
    {
        var diagnostics = _scenario.Result.Diagnostics.Select(d => (d.Severity, d.Target, d.Field)).ToList();
        var ingress = new ObjectRef("Ingress", "default", "backends");
        Assert.That(diagnostics, Does.Contain((Severity.Warning, ingress, "spec.rules[0].http.paths[3].backend.service.name")));
        Assert.That(diagnostics, Does.Contain((Severity.Warning, ingress, "spec.rules[0].http.paths[4].backend.service.port")));
        Assert.That(_scenario.Result.HasErrors, Is.False, string.Join("\n", _scenario.Result.Diagnostics));
    }

    [TestCase("unknown.test", "/")]
    [TestCase("unknown.test", "/up")]
    [TestCase(Host, "/")]
    [TestCase(Host, "/other")]
    [TestCase(Host, "/upx")]
    public async Task Without_a_default_backend_unmatched_requests_get_404(string host, string path)
    {
        var response = await _scenario.GetAsync(host, path);
        Assert.That((response.StatusCode, response.Backend, response.Location), Is.EqualTo((404, (string?)null, (string?)null)), response.ToString());
    }

    [TestCase("/down")]
    [TestCase("/down/x")]
    [TestCase("/empty")]
    [TestCase("/missing")]
    [TestCase("/missing/x")]
    [TestCase("/badport")]
    public async Task A_route_without_ready_endpoints_gets_503_and_the_others_keep_working(string path)
    {
        var response = await _scenario.GetAsync(Host, path);
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((503, (string?)null)), response.ToString());

        PathMatchingTests.AssertServedBy(await _scenario.GetAsync(Host, "/up"), "up");
    }

    [Test]
    public async Task A_named_port_resolves_through_the_EndpointSlice_port_name()
    {
        for (int i = 0; i < 4; i++)
        {
            PathMatchingTests.AssertServedBy(await _scenario.GetAsync(Host, "/named"), "named");
        }
    }

    [Test]
    public async Task Every_ready_endpoint_takes_requests()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 30 && seen.Count < 3; i++)
        {
            var response = await _scenario.GetAsync(Host, "/many/" + i);
            Assert.That((response.StatusCode, response.Backend), Is.AnyOf((200, "many-1"), (200, "many-2"), (200, "many-3")), response.ToString());
            seen.Add(response.Backend!);
        }

        Assert.That(seen, Is.EquivalentTo(new[] { "many-1", "many-2", "many-3" }));
    }
}
