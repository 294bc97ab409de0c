using Portico.Core.Building;
using Portico.TestSupport;

namespace Portico.Tests.Building;

public sealed class IngressClassTests : BuilderTestBase
{
    [TestCase("portico", true)]
    [TestCase("nginx", false)]
    [TestCase("Portico", false)]
    public void Serves_an_Ingress_whose_class_name_is_ours(string className, bool served)
    {
        var model = Build([Kube.Ingress("a", className: className).WithPath("a.test", "/", "Prefix", "web", 80), .. Web()]);
        Assert.That(model.ServedIngresses, Has.Length.EqualTo(served ? 1 : 0));
        Assert.That(HostOf(model, "a.test"), served ? Is.Not.Null : Is.Null);
        Assert.That(model.Diagnostics, Is.Empty, "a foreign class is ignored entirely");
    }

    [Test]
    public void An_Ingress_without_class_is_ours_only_when_our_IngressClass_is_the_default()
    {
        var ingress = Kube.Ingress("a", className: null).WithPath("a.test", "/", "Prefix", "web", 80);
        Assert.That(Build([ingress, .. Web()]).ServedIngresses, Is.Empty);
        Assert.That(Build([ingress, Kube.IngressClass("portico"), .. Web()]).ServedIngresses, Is.Empty);
        Assert.That(Build([ingress, Kube.IngressClass("portico", isDefault: true), .. Web()]).ServedIngresses, Has.Length.EqualTo(1));
    }

    [Test]
    public void Another_default_class_of_our_controller_does_not_make_classless_Ingresses_ours()
    {
        var ingress = Kube.Ingress("a", className: null).WithPath("a.test", "/", "Prefix", "web", 80);
        var model = Build([ingress, Kube.IngressClass("portico-internal", isDefault: true), .. Web()]);
        Assert.That(model.ServedIngresses, Is.Empty);
    }

    [TestCase("portico", true)]
    [TestCase("nginx", false)]
    public void Honours_the_legacy_class_annotation(string annotation, bool served)
    {
        var ingress = Kube.Ingress("a", className: null).WithAnnotation("kubernetes.io/ingress.class", annotation).WithPath("a.test", "/", "Prefix", "web", 80);
        Assert.That(Build([ingress, .. Web()]).ServedIngresses, Has.Length.EqualTo(served ? 1 : 0));
    }

    [Test]
    public void The_class_name_field_wins_over_the_legacy_annotation()
    {
        var ingress = Kube.Ingress("a", className: "nginx").WithAnnotation("kubernetes.io/ingress.class", "portico").WithPath("a.test", "/", "Prefix", "web", 80);
        Assert.That(Build([ingress, .. Web()]).ServedIngresses, Is.Empty);
    }

    [Test]
    public void A_class_of_our_name_owned_by_another_controller_means_nothing_of_it_is_ours()
    {
        var ingress = Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80);
        var model = Build([ingress, Kube.IngressClass("portico", controller: "k8s.io/ingress-nginx"), .. Web()]);
        Assert.That(model.ServedIngresses, Is.Empty);
        Assert.That(Messages(model), Has.One.Contains("IngressClass portico: spec.controller").And.Contains("k8s.io/ingress-nginx"));
    }

    [Test]
    public void The_served_class_name_is_an_option()
    {
        var ours = Kube.Ingress("a", className: "edge").WithPath("a.test", "/", "Prefix", "web", 80);
        var theirs = Kube.Ingress("b", className: "portico").WithPath("b.test", "/", "Prefix", "web", 80);
        var model = Build(new BuildOptions { IngressClassName = "edge" }, [ours, theirs, .. Web()]);
        Assert.That(model.ServedIngresses.Select(i => i.Name), Is.EqualTo(new[] { "a" }));
    }
}
