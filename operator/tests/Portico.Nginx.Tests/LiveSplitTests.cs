using System.Text;
using k8s;
using k8s.Models;
using Portico.Core.Applying;
using Portico.Core.Building;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// With Lua endpoints a traffic split is live data: changing its weights renders the same nginx.conf and only a new
/// live file, which the running nginx picks up without a reload.
/// </summary>
[TestFixture]
public sealed class LiveSplitTests
{
    private const string Host = "split.test";

    private NginxScenario _scenario = null!;
    private ConfigHashProbe _probe = null!;

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> World(IReadOnlyDictionary<string, TestBackend> backends, int blue, int green) =>
    [
        Kube.Ingress("split").WithPath(Host, "/", "Prefix", "blue", 80),
        new IngressPolicy
        {
            Metadata = new V1ObjectMeta { Name = "split", NamespaceProperty = "default" },
            Spec = new IngressPolicySpec
            {
                TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = "split" },
                TrafficSplit =
                [
                    new TrafficSplitBackend { Service = new ServicePortRef { Name = "blue", Port = 80 }, Weight = blue },
                    new TrafficSplitBackend { Service = new ServicePortRef { Name = "green", Port = 80 }, Weight = green },
                ],
            },
        },
        .. NginxScenario.Service("blue", [backends["blue"]]),
        .. NginxScenario.Service("green", [backends["green"]]),
    ];

    [SetUp]
    public async Task StartAsync()
    {
        // Not checked against explain: the test changes what is served behind the model's back.
        _scenario = await NginxScenario.StartAsync(["blue", "green"], backends => World(backends, 1, 1), explainChecked: false);
        _probe = new ConfigHashProbe(new Uri($"http://{_scenario.Settings.StatusListen}/portico/config-hash"));
    }

    [TearDown]
    public async Task StopAsync()
    {
        _probe.Dispose();
        await _scenario.DisposeAsync();
    }

    [Test]
    public async Task A_weight_change_is_served_from_the_live_file_without_a_reload()
    {
        var backends = new Dictionary<string, TestBackend> { ["blue"] = _scenario.Backend("blue"), ["green"] = _scenario.Backend("green") };
        var changed = OfflinePipeline.Render(
            NginxScenario.ToManifestSet(World(backends, 0, 5)),
            new BuildOptions { AllowLoopbackEndpoints = true, HttpsRedirectPort = _scenario.HttpsPort },
            _scenario.Settings,
            ProxyKind.Nginx.CreateRenderer());
        Assert.That(Encoding.UTF8.GetString(changed.Config["nginx.conf"]!.Content), Is.EqualTo(Encoding.UTF8.GetString(_scenario.Result.Config["nginx.conf"]!.Content)), "nginx.conf does not change");
        Assert.That(changed.Config.LiveHash, Is.Not.EqualTo(_scenario.Result.Config.LiveHash));

        string path = Path.Combine(_scenario.Nginx.Directory, "portico-endpoints.txt");
        File.WriteAllBytes(path + ".new", changed.Config["portico-endpoints.txt"]!.Content);
        File.Move(path + ".new", path, overwrite: true);
        Assert.That(await Eventually.ValueAsync(() => _probe.ReadLiveHashAsync(default), v => v == changed.Config.LiveHash), Is.EqualTo(changed.Config.LiveHash));

        var answered = new List<string?>();
        for (int i = 0; i < 20; i++)
        {
            answered.Add((await _scenario.GetAsync(Host)).Backend);
        }

        Assert.That(answered, Has.All.EqualTo("green"));
    }
}
