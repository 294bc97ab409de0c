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

    private static readonly TestCertificates.Pem Certificate = TestCertificates.Create("t.test");

    private static List<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>> Cluster()
    {
        var objects = new List<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>>
        {
            Kube.Ingress("a", ageRank: 3).WithPath("x.test", "/", "Prefix", "web", 80).WithPath("y.test", "/p", "Exact", "api", 80),
            Kube.Ingress("b", ageRank: 3).WithPath("x.test", "/", "Prefix", "api", 80).WithDefaultBackend("web", 80),
            Kube.Ingress("c", ageRank: 1).WithPath("*.x.test", "/q", "Prefix", "missing", 80),
            Kube.Ingress("t", ageRank: 2).WithPath("t.test", "/", "Prefix", "api", 80).WithTls("t-tls", "t.test"),
            Kube.TlsSecret("t-tls", Certificate.Certificate, Certificate.Key),
        };
        objects.AddRange(Web());
        objects.AddRange(Web("api", address: "10.0.0.2"));
        return objects;
    }

    [Test]
    public void The_same_objects_in_any_order_give_an_equal_model()
    {
        var objects = Cluster();
        var first = Build([.. objects]);
        objects.Reverse();
        var second = Build([.. objects]);
        Assert.That(first.Certificates, Has.Length.EqualTo(1), "the comparison covers certificates");
        Assert.That(second, Is.EqualTo(first));
        Assert.That(second.GetHashCode(), Is.EqualTo(first.GetHashCode()));
    }

    [Test]
    public void Model_equality_sees_a_change_anywhere_in_it()
    {
        var first = Build([.. Cluster()]);
        var moved = Cluster();
        moved[^1] = Kube.Slice("api", null, 8080, ["10.0.0.3"]);
        Assert.That(Build([.. moved]), Is.Not.EqualTo(first), "an endpoint");
        var otherKey = Cluster();
        var renewed = TestCertificates.Create("t.test");
        otherKey[4] = Kube.TlsSecret("t-tls", renewed.Certificate, renewed.Key);
        Assert.That(Build([.. otherKey]), Is.Not.EqualTo(first), "a certificate");
    }
}
