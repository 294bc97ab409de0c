using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// Real nginx, with and without Lua endpoints: how an endpoint of a three-endpoint Service is chosen. Session
/// affinity (IngressPolicy sessionAffinity) keeps a client with its cookie on one endpoint and gives a client without
/// one a cookie; a request hash on a header (loadBalancing RequestHash) sends equal values to one endpoint; least
/// request serves and spreads; affinity on a weighted split keeps a client on its share.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public sealed class PolicyEndpointChoiceTests(bool luaEndpoints)
{
    private static readonly string[] Pool = ["p1", "p2", "p3"];
    private NginxScenario _scenario = null!;

    private static IngressPolicy Policy(string name, string target, Action<IngressPolicySpec> set)
    {
        var spec = new IngressPolicySpec { TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target } };
        set(spec);
        return new IngressPolicy { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" }, Spec = spec };
    }

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync([.. Pool, "green"], backends =>
        [
            Kube.Ingress("sticky").WithPath("sticky.test", "/", "Prefix", "pool", 80),
            Policy("sticky", "sticky", p => p.SessionAffinity = new SessionAffinityPolicy { Cookie = new AffinityCookie { Name = "portico.route", Ttl = "1h" } }),
            Kube.Ingress("tenant").WithPath("tenant.test", "/", "Prefix", "pool", 80),
            Policy("tenant", "tenant", p => p.LoadBalancing = new LoadBalancingPolicy { Algorithm = "RequestHash", HashOn = new HashOn { Header = "X-Tenant" } }),
            Kube.Ingress("least").WithPath("least.test", "/", "Prefix", "pool", 80),
            Policy("least", "least", p => p.LoadBalancing = new LoadBalancingPolicy { Algorithm = "LeastRequest" }),
            Kube.Ingress("plain").WithPath("plain.test", "/", "Prefix", "pool", 80),
            Kube.Ingress("split").WithPath("split.test", "/", "Prefix", "pool", 80),
            Policy("split", "split", p =>
            {
                p.SessionAffinity = new SessionAffinityPolicy { Cookie = new AffinityCookie { Name = "share" } };
                p.TrafficSplit = [new() { Service = new ServicePortRef { Name = "pool", Port = 80 }, Weight = 50 }, new() { Service = new ServicePortRef { Name = "green", Port = 80 }, Weight = 50 }];
            }),
            .. NginxScenario.Service("pool", [.. Pool.Select(p => backends[p])]),
            .. NginxScenario.Service("green", [backends["green"]]),
        ],
        configure: settings => settings with { NginxLuaEndpoints = luaEndpoints });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    private Task<ProxyResponse> GetAsync(string host, params (string Name, string Value)[] headers) =>
        _scenario.SendAsync(host, "/", headers: headers.ToDictionary(h => h.Name, h => h.Value));

    [Test]
    public async Task Session_affinity_keeps_a_client_with_its_cookie_on_one_endpoint_and_gives_new_clients_one()
    {
        var first = await GetAsync("sticky.test");
        string? setCookie = first.Header("Set-Cookie");
        Assert.That(setCookie, Does.Match("^portico\\.route=[0-9a-f]{32}; Path=/; HttpOnly; Max-Age=3600$"), first.ToString());
        string cookie = setCookie!.Split(';')[0];

        var seen = new HashSet<string?>();
        for (int i = 0; i < 20; i++)
        {
            var again = await GetAsync("sticky.test", ("Cookie", "other=1; " + cookie));
            seen.Add(again.Backend);
            Assert.That(again.Header("Set-Cookie"), Is.Null, "a client with the cookie gets no new one");
        }

        Assert.That(seen, Is.EqualTo(new[] { first.Backend }), "every request with the cookie on the endpoint of the first");

        var newcomers = new HashSet<string?>();
        for (int i = 0; i < 30; i++)
        {
            var response = await GetAsync("sticky.test");
            Assert.That(response.Header("Set-Cookie"), Does.StartWith("portico.route="));
            newcomers.Add(response.Backend);
        }

        Assert.That(newcomers, Has.Count.GreaterThan(1), "clients without a cookie spread over the endpoints");
    }

    [Test]
    public async Task A_request_hash_on_a_header_sends_equal_values_to_one_endpoint_and_spreads_different_ones()
    {
        var endpoints = new HashSet<string?>();
        for (int tenant = 0; tenant < 12; tenant++)
        {
            var seen = new HashSet<string?>();
            for (int i = 0; i < 5; i++)
            {
                seen.Add((await GetAsync("tenant.test", ("X-Tenant", $"tenant-{tenant}"))).Backend);
            }

            Assert.That(seen, Has.Count.EqualTo(1), $"tenant-{tenant}: {string.Join(", ", seen)}");
            endpoints.UnionWith(seen);
        }

        Assert.That(endpoints, Has.Count.GreaterThan(1), "different values spread");
    }

    [Test]
    public async Task Least_request_and_round_robin_serve_from_every_endpoint()
    {
        foreach (string host in new[] { "least.test", "plain.test" })
        {
            var seen = new HashSet<string?>();
            for (int i = 0; i < 12; i++)
            {
                var response = await GetAsync(host);
                Assert.That(response.StatusCode, Is.EqualTo(200), response.ToString());
                seen.Add(response.Backend);
            }

            Assert.That(seen, Is.EquivalentTo(Pool), host);
        }
    }

    [Test]
    public async Task Affinity_on_a_weighted_split_keeps_a_client_on_its_share_and_endpoint()
    {
        var first = await GetAsync("split.test");
        string cookie = first.Header("Set-Cookie")!.Split(';')[0];
        var seen = new HashSet<string?>();
        for (int i = 0; i < 20; i++)
        {
            seen.Add((await GetAsync("split.test", ("Cookie", cookie))).Backend);
        }

        Assert.That(seen, Is.EqualTo(new[] { first.Backend }));
    }
}
