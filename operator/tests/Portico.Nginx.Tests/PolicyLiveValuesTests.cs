using System.Text;
using k8s.Models;
using Portico.Core.Applying;
using Portico.Core.Building;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// With Lua endpoints, a policy's response headers and timeouts are live data (ADR 0016): editing them leaves
/// nginx.conf byte for byte the same, and the running workers apply the new values from the live file, with no
/// reload. The first request after the workers loaded the new file already gets them.
/// </summary>
[TestFixture]
public sealed class PolicyLiveValuesTests
{
    private static readonly DateTime Created = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Test]
    public async Task Edited_response_headers_and_timeouts_reach_the_running_workers_without_a_reload()
    {
        await using var app = await TestBackend.StartAsync("app");
        var settings = new ProxySettings
        {
            ListenHttp = ListenAddress.Parse($"127.0.0.1:{FreePorts.Take(1)[0]}"),
            ListenHttps = ListenAddress.Parse($"127.0.0.1:{FreePorts.Take(1)[0]}"),
            StatusListen = ListenAddress.Parse($"127.0.0.1:{FreePorts.Take(1)[0]}"),
            AccessLog = false,
            WorkerProcesses = 2,
            WorkerConnections = 256,
            NginxLuaEndpoints = true,
        };
        var options = new BuildOptions { AllowLoopbackEndpoints = true };
        var renderer = ProxyKind.Nginx.CreateRenderer();
        var ingress = Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "app", 80).WithPath("shop.test", "/api", "Prefix", "app", 80);
        RenderedConfig Render(IngressPolicySpec spec) => OfflinePipeline.Render(
            NginxScenario.ToManifestSet([ingress, Policy(spec), .. NginxScenario.Service("app", [app])]), options, settings, renderer).Config;

        // Before: "one" set, the backend's x-gone hidden, a 1 s wait for the backend. After: "two" and a second value
        // added, x-gone hidden no more, x-new hidden, a 10 s wait. Both keep the same rate limit (it stays in nginx.conf).
        var before = Render(new IngressPolicySpec
        {
            ResponseHeaders = new HeaderModifier { Set = [new HeaderValue { Name = "X-Edit", Value = "one" }], Remove = ["X-Gone"] },
            Timeouts = new TimeoutPolicy { Request = "1s" },
            RateLimit = new RateLimitPolicy { RequestsPerSecond = 1000, Burst = 1000 },
        });
        var after = Render(new IngressPolicySpec
        {
            ResponseHeaders = new HeaderModifier
            {
                Set = [new HeaderValue { Name = "X-Edit", Value = "two; \"quoted\" % 100" }],
                Add = [new HeaderValue { Name = "X-Edit", Value = "again" }],
                Remove = ["X-New"],
            },
            Timeouts = new TimeoutPolicy { Request = "10s" },
            RateLimit = new RateLimitPolicy { RequestsPerSecond = 1000, Burst = 1000 },
        });
        Assert.That(after.Hash, Is.EqualTo(before.Hash), "nginx.conf and every reloaded file are the same: only the live file differs");
        Assert.That(after.LiveHash, Is.Not.EqualTo(before.LiveHash));

        using var nginx = await NginxProcess.StartAsync(before, settings.StatusListen.Port);
        var first = await ProxyClient.TryGetAsync(settings.ListenHttp.Port, "shop.test", "/api/x?respond-header=X-Gone:backend&respond-header=X-New:backend&delay-ms=2500");
        Assert.That((first.StatusCode, first.Header("X-Edit"), first.Header("X-Gone")), Is.EqualTo((504, "one", (string?)null)), "before: the 1 s wait is over, and the headers are on the 504 too: " + first);
        var quick = await ProxyClient.TryGetAsync(settings.ListenHttp.Port, "shop.test", "/?respond-header=X-Gone:backend&respond-header=X-New:backend");
        Assert.That((quick.StatusCode, quick.Backend, quick.Header("X-Edit"), quick.Header("X-Gone"), quick.Header("X-New")), Is.EqualTo((200, "app", "one", (string?)null, "backend")), quick.ToString());

        // Only the live file is replaced; nginx is not signalled.
        var live = after.Live.Single();
        string path = Path.Combine(nginx.Directory, live.Path);
        File.WriteAllBytes(path + ".new", live.Content);
        File.Move(path + ".new", path, overwrite: true);
        using var probe = new ConfigHashProbe(new Uri($"http://{settings.StatusListen}/portico/config-hash"));
        Assert.That(await Eventually.ValueAsync(() => probe.ReadLiveHashAsync(default), v => v == after.LiveHash), Is.EqualTo(after.LiveHash), "every worker loaded the new live file");

        var slow = await ProxyClient.TryGetAsync(settings.ListenHttp.Port, "shop.test", "/api/x?respond-header=X-Gone:backend&respond-header=X-New:backend&delay-ms=2500");
        Assert.That((slow.StatusCode, slow.Backend), Is.EqualTo((200, "app")), "after: the 10 s wait lets the slow answer through: " + slow);
        Assert.That(slow.Header("X-Edit")?.Split(", "), Is.EqualTo(new[] { "two; \"quoted\" % 100", "again" }), slow.ToString());
        Assert.That((slow.Header("X-Gone"), slow.Header("X-New")), Is.EqualTo(("backend", (string?)null)), slow.ToString());
        Assert.That(nginx.Stderr, Does.Not.Contain("signal 1 (SIGHUP)").And.Not.Contain("portico:"), "no reload, and the Lua had nothing to complain about");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Every_printable_character_a_header_value_may_hold_reaches_the_client_unchanged(bool luaEndpoints)
    {
        // Printable ASCII but "$" (refused by the parser), spaces inside: the live file's percent-encoding and the
        // directives' escaping must both give the client exactly this (ADR 0016).
        string value = string.Concat(Enumerable.Range(0x21, 0x7e - 0x20).Select(c => (char)c).Where(c => c != '$')) + " a b";
        await using var scenario = await NginxScenario.StartAsync(
            ["app"],
            backends => [Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "app", 80), Policy(new IngressPolicySpec
            {
                ResponseHeaders = new HeaderModifier
                {
                    Set = [new HeaderValue { Name = "X-All", Value = value }],
                    Add = [new HeaderValue { Name = "x_under.dot", Value = "1" }],
                },
            }), .. NginxScenario.Service("app", [backends["app"]])],
            configure: settings => settings with { NginxLuaEndpoints = luaEndpoints },
            explainChecked: false);
        var response = await scenario.SendAsync("shop.test", "/");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, "app")), response.ToString());
        Assert.That((response.Header("X-All"), response.Header("x_under.dot")), Is.EqualTo((value, "1")), response.ToString());
    }

    private static IngressPolicy Policy(IngressPolicySpec spec)
    {
        spec.TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = "shop" };
        return new IngressPolicy { Metadata = new V1ObjectMeta { Name = "shop", NamespaceProperty = "default", CreationTimestamp = Created }, Spec = spec };
    }
}
