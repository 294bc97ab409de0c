using System.Text;
using k8s.Models;
using Portico.Core.Applying.Nginx;
using Portico.Core.Building;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// With Lua endpoints, a batch that changes a route's policy and its backend together: while nginx still runs the old
/// nginx.conf (the reload in flight), the transitional live file (old and new routes together, as the applier
/// publishes it) must not send the route to its new backend under its old policy. The route's key includes its
/// policy's key, so the old workers keep the old route (old backend, old policy) and only the reload brings both
/// changes together.
/// </summary>
[TestFixture]
public sealed class PolicyLiveTransitionTests
{
    private static readonly DateTime Created = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // With a body size nginx.conf enforces, the host keeps a server block and its route key follows its policy: the old
    // workers keep the old route. With the deny list alone, the host has no block and its line carries the list with
    // the new backend (ADR 0018): the old workers read the new line, so b only behind the deny.
    [TestCase(true, 200, "a")]
    [TestCase(false, 403, null)]
    public async Task A_policy_and_a_backend_changed_in_one_batch_go_out_together_with_the_reload(bool enforcedByNginx, int duringStatus, string? duringBackend)
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var settings = new ProxySettings
        {
            ListenHttp = ListenAddress.Parse($"127.0.0.1:{FreePorts.Take(1)[0]}"),
            ListenHttps = ListenAddress.Parse($"127.0.0.1:{FreePorts.Take(1)[0]}"),
            StatusListen = ListenAddress.Parse($"127.0.0.1:{FreePorts.Take(1)[0]}"),
            AccessLog = false,
            WorkerProcesses = 1,
            WorkerConnections = 256,
            NginxLuaEndpoints = true,
        };
        var options = new BuildOptions { AllowLoopbackEndpoints = true };
        var renderer = ProxyKind.Nginx.CreateRenderer();
        var services = NginxScenario.Service("a", [a]).Concat(NginxScenario.Service("b", [b])).ToList();

        // Before: the shop answers from a, openly. After: from b, and the loopback client is denied.
        var before = OfflinePipeline.Render(NginxScenario.ToManifestSet([Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "a", 80), .. services]), options, settings, renderer);
        var after = OfflinePipeline.Render(NginxScenario.ToManifestSet([Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "b", 80), DenyLoopback(enforcedByNginx), .. services]), options, settings, renderer);
        Assert.That(after.Diagnostics.Where(d => d.Severity == Core.Model.Severity.Error), Is.Empty);

        using var nginx = await NginxProcess.StartAsync(before.Config, settings.StatusListen.Port);
        var served = await ProxyClient.TryGetAsync(settings.ListenHttp.Port, "shop.test", "/");
        Assert.That((served.StatusCode, served.Backend), Is.EqualTo((200, "a")), "before: " + served);

        // The reload is in flight: the old nginx.conf, with the live file the applier publishes before the swap.
        var transitional = new NginxEndpointsTransition().During(before.Config.Live, after.Config);
        var during = before.Config with { Live = transitional, LiveHash = VersionOf(transitional.Single()) };
        await nginx.ReloadAsync(during);
        for (int i = 0; i < 20; i++)
        {
            var response = await ProxyClient.TryGetAsync(settings.ListenHttp.Port, "shop.test", "/");
            Assert.That((response.StatusCode, response.Backend), Is.EqualTo((duringStatus, duringBackend)), "during the reload never b without the deny: " + response);
        }

        await nginx.ReloadAsync(after.Config);
        var denied = await ProxyClient.TryGetAsync(settings.ListenHttp.Port, "shop.test", "/");
        Assert.That((denied.StatusCode, denied.Backend), Is.EqualTo((403, (string?)null)), "after the reload: new backend and new policy together: " + denied);
    }

    private static IngressPolicy DenyLoopback(bool withBodySize) => new()
    {
        Metadata = new V1ObjectMeta { Name = "deny-loopback", NamespaceProperty = "default", CreationTimestamp = Created },
        Spec = new IngressPolicySpec
        {
            TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = "shop" },
            IpDenyList = ["127.0.0.0/8", "::1/128"],
            MaxRequestBodySize = withBodySize ? "5Mi" : null,
        },
    };

    /// <summary>The version the workers report for a live file: the last word of its first line.</summary>
    private static string VersionOf(RenderedFile file) => Encoding.ASCII.GetString(file.Content).Split('\n')[0].Split(' ')[^1];
}
