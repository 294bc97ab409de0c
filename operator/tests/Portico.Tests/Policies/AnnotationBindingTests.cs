using Portico.Tests.Building;
using Portico.TestSupport;

namespace Portico.Tests.Policies;

/// <summary>
/// ingress-nginx annotations in the build: access control the annotations carry is never served openly (403 while
/// it cannot be honoured), snippets are refused with a reason, other understood settings are named in a warning.
/// </summary>
public sealed class AnnotationBindingTests : BuilderTestBase
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";

    private static k8s.Models.V1Ingress Annotated(params (string Key, string Value)[] annotations)
    {
        var ingress = Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80);
        foreach (var (key, value) in annotations)
        {
            ingress.WithAnnotation(Prefix + key, value);
        }

        return ingress;
    }

    [TestCase("auth-type", "basic", Description = "basic auth without its Secret")]
    [TestCase("auth-url", "http://127.0.0.1/oauth2/auth", Description = "refused: loopback")]
    [TestCase("whitelist-source-range", "010.0.0.1/8", Description = "refused")]
    [TestCase("auth-tls-verify-client", "on", Description = "client certificates are not implemented")]
    public void Access_control_in_annotations_denies_rather_than_serving_openly(string key, string value)
    {
        var model = Build([Annotated((key, value)), Kube.Ingress("other").WithPath("b.test", "/", "Prefix", "web", 80), .. Web()]);
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> status 403" }));
        Assert.That(RoutesOf(model, "b.test"), Is.EqualTo(new[] { "Prefix / -> default_web_80" }), "other Ingresses are served as before");
        Assert.That(Messages(model), Has.Some.Contains("answers 403"));
    }

    [Test]
    public void An_IP_list_annotation_is_enforced_on_the_route_not_turned_into_a_denial()
    {
        var model = Build([Annotated(("whitelist-source-range", "10.0.0.0/8"), ("denylist-source-range", "10.1.0.0/16")), .. Web()]);
        var route = model.VirtualHosts.Single(v => v.Host.Value == "a.test").Routes.Single();
        Assert.That(route.Action, Is.InstanceOf<Core.Model.ForwardAction>());
        Assert.That(route.Policy.IpAccess?.Allow.Select(n => n.ToString()), Is.EqualTo(new[] { "10.0.0.0/8" }));
        Assert.That(route.Policy.IpAccess?.Deny.Select(n => n.ToString()), Is.EqualTo(new[] { "10.1.0.0/16" }));
        Assert.That(Messages(model), Has.None.Contains("answers 403").And.None.Contains("not enforced"));
    }

    [Test]
    public void A_snippet_is_refused_with_a_reason()
    {
        var model = Build([Annotated(("configuration-snippet", "more_set_headers \"X: y\";")), .. Web()]);
        Assert.That(model.Diagnostics.Single(d => d.Field == Prefix + "configuration-snippet").Severity, Is.EqualTo(Core.Model.Severity.Error));
    }

    [Test]
    public void Understood_settings_are_applied_to_the_route_with_no_warning()
    {
        var model = Build([Annotated(("proxy-body-size", "8m"), ("proxy-buffering", "off"), ("rewrite-target", "/"), ("affinity", "cookie"), ("upstream-hash-by", "$remote_addr")), .. Web()]);
        var route = model.VirtualHosts.Single(v => v.Host.Value == "a.test").Routes.Single();
        Assert.That(route.Action, Is.InstanceOf<Core.Model.ForwardAction>());
        Assert.That((route.Policy.MaxRequestBodyBytes, route.Policy.Buffering is null, route.Policy.Rewrite is null), Is.EqualTo(((long?)8 * 1024 * 1024, false, false)));
        Assert.That(route.Policy.SessionAffinity?.CookieName, Is.EqualTo("INGRESSCOOKIE"));
        Assert.That(route.Policy.LoadBalancing?.Algorithm, Is.EqualTo(Core.Model.Policies.LoadBalancingAlgorithm.RequestHash));
        Assert.That(Messages(model), Has.None.Contains("not enforced"));
    }

    [Test]
    public void An_unknown_ingress_nginx_annotation_is_named_in_a_warning()
    {
        var model = Build([Annotated(("no-such-annotation", "1")), .. Web()]);
        Assert.That(model.Diagnostics.Select(d => d.Field), Does.Contain(Prefix + "no-such-annotation"));
    }
}
