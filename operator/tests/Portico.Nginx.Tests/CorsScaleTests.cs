using k8s;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;

namespace Portico.Nginx.Tests;

/// <summary>
/// Every CORS rule's origins share one map, keyed "RULE ORIGIN" (one map block per rule made `nginx -t` slow at
/// scale): with 700 rules of long origins, nginx still builds the map (its hash sizes follow the keys) and each
/// host answers its own origins only. With and without Lua endpoints.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public sealed class CorsScaleTests(bool luaEndpoints)
{
    private const int Rules = 700;

    private NginxScenario _scenario = null!;

    /// <summary>An origin of ~150 characters (labels of up to 63), distinct per rule.</summary>
    private static string Origin(int i) => $"https://{new string('a', 60)}.{new string('b', 50)}-{i}.partner-{i}.example.org";

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(IReadOnlyDictionary<string, Portico.TestSupport.Nginx.TestBackend> backends)
    {
        for (int i = 0; i < Rules; i++)
        {
            yield return Kube.Ingress($"app-{i}").WithPath($"app-{i}.test", "/", "Prefix", "app", 80);
            yield return new IngressPolicy
            {
                Metadata = new V1ObjectMeta { Name = $"cors-{i}", NamespaceProperty = "default" },
                Spec = new IngressPolicySpec
                {
                    TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = $"app-{i}" },
                    Cors = new CorsPolicy { AllowOrigins = [Origin(i), $"https://*.wild-{i}.example.org"], AllowMethods = ["GET"] },
                },
            };
        }

        foreach (var o in NginxScenario.Service("app", [backends["app"]]))
        {
            yield return o;
        }
    }

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync(["app"], Objects, configure: s => s with { NginxLuaEndpoints = luaEndpoints }, explainChecked: false);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Test]
    public void All_rules_share_one_origin_map_or_with_Lua_the_live_file_carries_them()
    {
        string conf = System.Text.Encoding.UTF8.GetString(_scenario.Result.Config["nginx.conf"]!.Content);
        if (luaEndpoints)
        {
            // Hosts whose policy is CORS alone have no server block: each rule's origins are on its host's line (ADR 0018).
            string live = System.Text.Encoding.ASCII.GetString(_scenario.Result.Config["portico-endpoints.txt"]!.Content);
            Assert.That(conf, Does.Not.Contain("map \"$portico_cors $http_origin\""));
            Assert.That(live.Split('\n').Count(l => l.StartsWith("=app-", StringComparison.Ordinal) && l.Contains(";co:https%3A//*.wild-", StringComparison.Ordinal)), Is.EqualTo(Rules));
            return;
        }

        Assert.That(conf.Split("map \"$portico_cors $http_origin\"").Length - 1, Is.EqualTo(1));
        Assert.That(conf, Does.Match("map_hash_bucket_size (512|1024);").And.Contain("map_hash_max_size 4096;"));
    }

    [TestCase(0)]
    [TestCase(Rules - 1)]
    public async Task Each_host_answers_its_own_origins_and_no_other(int i)
    {
        var own = await Simple(i, Origin(i));
        Assert.That((own.Backend, own.Header("Access-Control-Allow-Origin")), Is.EqualTo(("app", Origin(i))), own.ToString());
        var wild = await Simple(i, $"https://x.wild-{i}.example.org");
        Assert.That(wild.Header("Access-Control-Allow-Origin"), Is.EqualTo($"https://x.wild-{i}.example.org"), wild.ToString());
        int other = (i + 1) % Rules;
        foreach (string foreign in new[] { Origin(other), $"https://x.wild-{other}.example.org" })
        {
            var response = await Simple(i, foreign);
            Assert.That((response.Backend, response.Header("Access-Control-Allow-Origin")), Is.EqualTo(("app", (string?)null)), response.ToString());
        }
    }

    private Task<Portico.TestSupport.Nginx.ProxyResponse> Simple(int i, string origin) =>
        _scenario.SendAsync($"app-{i}.test", "/", headers: new Dictionary<string, string> { ["Origin"] = origin });
}
