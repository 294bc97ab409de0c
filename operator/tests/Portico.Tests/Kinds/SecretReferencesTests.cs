using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;

namespace Portico.Tests.Kinds;

/// <summary>
/// Which Secrets an object names, read as the builder reads it: TLS secretNames, the ingress-nginx basic-auth
/// Secret (plain or namespace/name of the Ingress's own namespace), an IngressPolicy's basicAuth.secretRef; a
/// reference to another namespace, or one the builder refuses, names nothing.
/// </summary>
public sealed class SecretReferencesTests
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";

    private static string[] Of(k8s.IKubernetesObject<V1ObjectMeta> value) => [.. SecretReferences.Of(value).Select(n => n.ToString())];

    private static V1Ingress BasicAuth(string reference, string ns = "shop") =>
        Kube.Ingress("web", ns).WithPath("a.test", "/", "Prefix", "web", 80)
            .WithAnnotation(Prefix + "auth-type", "basic").WithAnnotation(Prefix + "auth-secret", reference);

    [Test]
    public void An_Ingress_names_its_TLS_Secrets_once_each_in_its_own_namespace()
    {
        var ingress = Kube.Ingress("web", "shop").WithPath("a.test", "/", "Prefix", "web", 80)
            .WithTls("a-tls", "a.test").WithTls("b-tls", "b.test").WithTls("a-tls", "c.test").WithTls(null, "d.test");
        Assert.That(Of(ingress), Is.EqualTo(new[] { "shop/a-tls", "shop/b-tls" }));
    }

    [TestCase("users")]
    [TestCase("shop/users")]
    public void The_basic_auth_annotation_names_its_Secret(string reference) =>
        Assert.That(Of(BasicAuth(reference)), Is.EqualTo(new[] { "shop/users" }));

    [TestCase("other/users", Description = "another namespace: refused by the builder, so not followed")]
    [TestCase("Users!", Description = "not a name")]
    public void A_basic_auth_reference_the_builder_refuses_names_nothing(string reference) =>
        Assert.That(Of(BasicAuth(reference)), Is.Empty);

    [Test]
    public void An_auth_secret_without_basic_auth_names_nothing()
    {
        var ingress = Kube.Ingress("web", "shop").WithPath("a.test", "/", "Prefix", "web", 80).WithAnnotation(Prefix + "auth-secret", "users");
        Assert.That(Of(ingress), Is.Empty);
    }

    [Test]
    public void TLS_and_basic_auth_together()
    {
        var ingress = BasicAuth("users").WithTls("a-tls", "a.test");
        Assert.That(Of(ingress), Is.EqualTo(new[] { "shop/a-tls", "shop/users" }));
    }

    [Test]
    public void A_policy_names_its_basic_auth_Secret_and_other_kinds_name_none()
    {
        var policy = new IngressPolicy
        {
            Metadata = new V1ObjectMeta { Name = "login", NamespaceProperty = "shop" },
            Spec = new IngressPolicySpec { BasicAuth = new BasicAuthPolicy { SecretRef = new LocalObjectName { Name = "users" } } },
        };
        Assert.That(Of(policy), Is.EqualTo(new[] { "shop/users" }));
        Assert.That(Of(new IngressPolicy { Metadata = new V1ObjectMeta { Name = "open", NamespaceProperty = "shop" }, Spec = new IngressPolicySpec() }), Is.Empty);
        Assert.That(Of(Kube.Service("web", "shop", (null, 80))), Is.Empty);
    }
}
