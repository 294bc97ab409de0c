using k8s;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// With Lua endpoints, a host whose policy is client address rules, CORS or a rate limit has no server block: its line
/// of the live file carries them and the Lua enforces them (ADR 0018). What the Lua does with lines the operator
/// would not write: access control it cannot read routes nothing (never the backend openly), and the address rules
/// mean what nginx's allow and deny would, to the bit. <see cref="PolicyTrafficTests"/> checks the semantics against
/// the directives with the operator's own lines.
/// </summary>
[TestFixture]
public sealed class LiveAccessTests
{
    private NginxScenario _scenario = null!;

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(IReadOnlyDictionary<string, TestBackend> backends) =>
    [
        Kube.Ingress("gate").WithPath("gate.test", "/", "Prefix", "app", 80),
        Kube.Ingress("open").WithPath("open.test", "/", "Prefix", "app", 80),
        new IngressPolicy
        {
            Metadata = new V1ObjectMeta { Name = "gate", NamespaceProperty = "default" },
            Spec = new IngressPolicySpec
            {
                TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = "gate" },
                IpAllowList = ["192.0.2.0/24"],
            },
        },
        .. NginxScenario.Service("app", [backends["app"]]),
    ];

    [SetUp]
    public async Task StartAsync() =>
        _scenario = await NginxScenario.StartAsync(["app"], Objects, configure: s => s with { NginxLuaEndpoints = true }, explainChecked: false);

    [TearDown]
    public async Task StopAsync() => await _scenario.DisposeAsync();

    [Test]
    public async Task The_operator_writes_the_allow_list_on_the_host_line_and_the_Lua_denies_the_rest()
    {
        string live = System.Text.Encoding.ASCII.GetString(_scenario.Result.Config["portico-endpoints.txt"]!.Content);
        Assert.That(live, Does.Contain("\n=gate.test P:2f:default_app_80;ia:c0000200/24\n"));
        Assert.That(System.Text.Encoding.UTF8.GetString(_scenario.Result.Config["nginx.conf"]!.Content), Does.Not.Contain("server_name \"gate.test\""), "no server block");
        Assert.That((await _scenario.SendAsync("gate.test", "/")).StatusCode, Is.EqualTo(403));
        Assert.That((await _scenario.SendAsync("open.test", "/")).Backend, Is.EqualTo("app"));
    }

    // The loopback client is 127.0.0.1: 7f000001. Prefixes that end inside a byte are compared bit by bit.
    [TestCase("ia:7f000000/8", 200)]
    [TestCase("ia:7f000000/9", 200)]
    [TestCase("ia:7f800000/9", 403)]
    [TestCase("ia:7f000001/32", 200)]
    [TestCase("ia:7f000002/31", 403)]
    [TestCase("ia:7f000000/31", 200)]
    [TestCase("id:7f000001/32;ia:7f000000/8", 403)]
    [TestCase("id:c0000200/24", 200)]
    [TestCase("id:00000000/0", 403)]
    [TestCase("ia:00000000000000000000000000000001/128", 403)]
    public async Task Address_rules_mean_what_allow_and_deny_would(string rules, int status)
    {
        await _scenario.ReloadWithLiveLinesAsync(lines => lines.Select(l => l.StartsWith("=gate.test ", StringComparison.Ordinal) ? "=gate.test P:2f:default_app_80;" + rules : l));
        var response = await _scenario.SendAsync("gate.test", "/");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((status, status == 200 ? "app" : null)), response.ToString());
    }

    // A policy the Lua cannot read whole is not used at all: the host's line is as if absent, so the default server
    // answers (404 here), and the backend is never reached without the rules.
    [TestCase("ia:c0000200/24;zz:1")]
    [TestCase("ia:7f00/8")]
    [TestCase("ia:7f000000/33")]
    [TestCase("ia:7f000000")]
    [TestCase("ia:c0000200/24;r:x:1:p1")]
    [TestCase("ia:c0000200/24;co:https%3A//a.test")]
    [TestCase("ia:c0000200/24;t:1")]
    public async Task A_line_whose_policy_does_not_parse_routes_nothing(string rules)
    {
        await _scenario.ReloadWithLiveLinesAsync(lines => lines.Select(l => l.StartsWith("=gate.test ", StringComparison.Ordinal) ? "=gate.test P:2f:default_app_80;" + rules : l));
        var response = await _scenario.SendAsync("gate.test", "/");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((404, (string?)null)), response.ToString());
        Assert.That((await _scenario.SendAsync("open.test", "/")).Backend, Is.EqualTo("app"), "the rest is served");
    }

    [Test]
    public async Task A_rate_whose_zone_the_running_configuration_lacks_is_not_served()
    {
        // The live file can reach old workers before the reload that declares the zone: 503 until then, not uncounted.
        await _scenario.ReloadWithLiveLinesAsync(lines => lines.Select(l => l.StartsWith("=open.test ", StringComparison.Ordinal) ? l + ";r:5:0:p1" : l));
        var response = await _scenario.SendAsync("open.test", "/");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((503, (string?)null)), response.ToString());
    }
}
