using Portico.Core.Building;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Building;

public sealed class LimitsAndDeterminismTests : BuilderTestBase
{
    [Test]
    public void An_Ingress_over_the_rule_limit_is_not_served_at_all()
    {
        var big = Kube.Ingress("big");
        for (int i = 0; i < 3; i++)
        {
            big.WithPath($"h{i}.test", "/", "Prefix", "web", 80);
        }

        var model = Build(new BuildOptions { Limits = new BuildLimits { MaxRulesPerIngress = 2 } }, [big, Kube.Ingress("small").WithPath("s.test", "/", "Prefix", "web", 80), .. Web()]);
        Assert.That(model.ServedIngresses.Select(i => i.Name), Is.EqualTo(new[] { "small" }));
        Assert.That(model.Diagnostics.Single().Field, Is.EqualTo("spec"));
    }

    [Test]
    public void A_rule_over_the_path_limit_is_not_served()
    {
        var big = Kube.Ingress("big").WithPath("a.test", "/a", "Prefix", "web", 80).WithPath("a.test", "/b", "Prefix", "web", 80);
        var model = Build(new BuildOptions { Limits = new BuildLimits { MaxPathsPerRule = 1 } }, [big, .. Web()]);
        Assert.That(HostOf(model, "a.test"), Is.Null);
        Assert.That(model.Diagnostics.Single().Field, Is.EqualTo("spec.rules[0].http.paths"));
    }

    [TestCase("Bad_Namespace")]
    [TestCase("ns;x")]
    public void An_Ingress_in_an_invalid_namespace_is_not_served(string ns)
    {
        var model = Build([Kube.Ingress("a", ns: ns).WithPath("a.test", "/", "Prefix", "web", 80), .. Web()]);
        Assert.That(model.ServedIngresses, Is.Empty);
        Assert.That(model.Diagnostics.Single().Field, Is.EqualTo("metadata"));
    }

    [Test]
    public void The_same_objects_in_any_order_give_an_equal_model()
    {
        var objects = new List<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>>
        {
            Kube.Ingress("a", ageRank: 3).WithPath("x.test", "/", "Prefix", "web", 80).WithPath("y.test", "/p", "Exact", "api", 80),
            Kube.Ingress("b", ageRank: 3).WithPath("x.test", "/", "Prefix", "api", 80).WithDefaultBackend("web", 80),
            Kube.Ingress("c", ageRank: 1).WithPath("*.x.test", "/q", "Prefix", "missing", 80),
        };
        objects.AddRange(Web());
        objects.AddRange(Web("api", address: "10.0.0.2"));
        var first = Build([.. objects]);
        objects.Reverse();
        var second = Build([.. objects]);
        Assert.That(Describe(second), Is.EqualTo(Describe(first)));
    }

    private static string Describe(ProxyModel model) => string.Join("\n", model.VirtualHosts.SelectMany(v => v.Routes.Select(r => $"{v.Host} {r.Match} {r.Target} {r.Source}"))
        .Concat(model.Upstreams.Select(u => $"{u.Name} {string.Join(',', u.Endpoints.Select(e => e.HostPort))}"))
        .Concat(model.Diagnostics.Select(d => d.ToString()))
        .Append(model.DefaultBackend?.ToString() ?? "-"));
}
