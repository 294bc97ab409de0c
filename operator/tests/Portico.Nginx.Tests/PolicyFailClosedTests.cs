using k8s;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;

namespace Portico.Nginx.Tests;

/// <summary>
/// Real nginx, with and without Lua endpoints and through the live routing before the reload: an IngressPolicy
/// carrying access control that cannot be enforced (its IP list is refused) denies its target (403); the Ingress next
/// to it, whose policy sets nothing access-related, is served as before (its reload already landed: a host with a
/// policy is never served through the live routing alone).
/// </summary>
[TestFixture(true, false)]
[TestFixture(false, false)]
[TestFixture(true, true)]
public sealed class PolicyFailClosedTests(bool luaEndpoints, bool beforeTheReload)
{
    private NginxScenario _scenario = null!;

    private static IngressPolicy Policy(string name, string target, IngressPolicySpec spec) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new IngressPolicySpec
        {
            TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target },
            IpAllowList = spec.IpAllowList,
            RateLimit = spec.RateLimit,
        },
    };

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync(["app"], backends =>
        [
            Kube.Ingress("admin").WithPath("admin.test", "/", "Prefix", "app", 80),
            Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "app", 80),
            Policy("office-only", "admin", new IngressPolicySpec { IpAllowList = ["192.0.2.010/24"] }),
            Policy("limits", "shop", new IngressPolicySpec { RateLimit = new RateLimitPolicy { RequestsPerSecond = 5 } }),
            .. NginxScenario.Service("app", [backends["app"]]),
        ],
        configure: settings => settings with { NginxLuaEndpoints = luaEndpoints },
        notYetReloaded: beforeTheReload ? o => o is V1Ingress { Metadata.Name: "admin" } : null);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [TestCase("/")]
    [TestCase("/anything/below")]
    public async Task Access_control_that_cannot_be_enforced_answers_403(string path)
    {
        var response = await _scenario.GetAsync("admin.test", path);
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((403, (string?)null)), response.ToString());
    }

    [Test]
    public async Task A_policy_without_access_control_leaves_its_target_served()
    {
        var response = await _scenario.GetAsync("shop.test", "/");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, "app")), response.ToString());
    }
}
