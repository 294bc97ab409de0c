using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Building;

public sealed class TlsTests : BuilderTestBase
{
    private static readonly TestCertificates.Pem ShopCertificate = TestCertificates.Create("shop.test");
    private static readonly TestCertificates.Pem OtherCertificate = TestCertificates.Create("other.test");

    private static k8s.Models.V1Ingress Shop(string? secret = "shop-tls", params string[] tlsHosts) =>
        Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "web", 80).WithTls(secret, tlsHosts.Length == 0 ? ["shop.test"] : tlsHosts);

    [Test]
    public void A_valid_tls_Secret_gives_the_host_its_certificate_re_encoded()
    {
        var model = Build([Shop(), Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, ShopCertificate.Key), .. Web()]);
        var certificate = model.Certificates.Single();
        Assert.That(HostOf(model, "shop.test")!.CertificateId, Is.EqualTo(certificate.Id));
        Assert.That(certificate.CertificateChainPem, Does.StartWith("-----BEGIN CERTIFICATE-----"));
        Assert.That(certificate.PrivateKeyPem, Does.StartWith("-----BEGIN PRIVATE KEY-----"));
        Assert.That(certificate.Id, Does.Match("^[0-9a-f]{32}$"));
        Assert.That(model.Diagnostics, Is.Empty);
    }

    [Test]
    public void Text_around_the_PEM_blocks_never_reaches_the_output()
    {
        string hostileCert = "ssl_certificate /etc/shadow;\n" + ShopCertificate.Certificate + "}\n# evil\n";
        string hostileKey = "\"; include /etc/passwd;\n" + ShopCertificate.Key;
        var model = Build([Shop(), Kube.TlsSecret("shop-tls", hostileCert, hostileKey), .. Web()]);
        var certificate = model.Certificates.Single();
        Assert.That(certificate.CertificateChainPem + certificate.PrivateKeyPem, Does.Not.Contain("shadow").And.Not.Contain("passwd").And.Not.Contain("evil"));
    }

    [Test]
    public void A_chain_keeps_every_certificate_in_order()
    {
        string chain = ShopCertificate.Certificate + OtherCertificate.Certificate;
        var model = Build([Shop(), Kube.TlsSecret("shop-tls", chain, ShopCertificate.Key), .. Web()]);
        string pem = model.Certificates.Single().CertificateChainPem;
        Assert.That(pem.Split("BEGIN CERTIFICATE").Length - 1, Is.EqualTo(2));
        Assert.That(pem, Does.StartWith(ShopCertificate.Certificate.TrimEnd()));
    }

    [TestCase("missing")]
    [TestCase("wrong-type")]
    [TestCase("mismatched-key")]
    [TestCase("garbage")]
    [TestCase("no-key")]
    public void An_unusable_Secret_is_a_warning_and_the_host_falls_back_to_the_default_certificate(string problem)
    {
        var secret = problem switch
        {
            "wrong-type" => Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, ShopCertificate.Key, type: "Opaque"),
            "mismatched-key" => Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, OtherCertificate.Key),
            "garbage" => Kube.TlsSecret("shop-tls", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", ShopCertificate.Key),
            "no-key" => Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, ShopCertificate.Key),
            _ => null,
        };
        if (problem == "no-key")
        {
            secret!.Data.Remove("tls.key");
        }

        var defaultSecret = Kube.TlsSecret("fallback", OtherCertificate.Certificate, OtherCertificate.Key, ns: "portico");
        var options = new BuildOptions { DefaultCertificate = new NamespacedName("portico", "fallback") };
        var objects = new List<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>> { Shop(), defaultSecret };
        objects.AddRange(Web());
        if (secret is not null)
        {
            objects.Add(secret);
        }

        var model = Build(options, [.. objects]);
        Assert.That(HostOf(model, "shop.test")!.CertificateId, Is.EqualTo(model.DefaultCertificateId).And.Not.Null);
        var diagnostic = model.Diagnostics.Single();
        Assert.That((diagnostic.Severity, diagnostic.Target.Name, diagnostic.Field), Is.EqualTo((Severity.Warning, "shop", "spec.tls[0].secretName")));
        Assert.That(diagnostic.Message, Does.Contain("Secret default/shop-tls").And.Contain("default certificate"));

        var withoutDefault = Build([.. objects.Where(o => !ReferenceEquals(o, defaultSecret))]);
        Assert.That(HostOf(withoutDefault, "shop.test")!.CertificateId, Is.Null, "no usable certificate: the host is plain HTTP");
    }

    [Test]
    public void A_TLS_entry_without_hosts_covers_the_hosts_of_the_Ingress_rules()
    {
        var ingress = Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "web", 80).WithPath("*.shop.test", "/", "Prefix", "web", 80).WithTls("shop-tls");
        var model = Build([ingress, Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, ShopCertificate.Key), .. Web()]);
        Assert.That(HostOf(model, "shop.test")!.CertificateId, Is.Not.Null);
        Assert.That(HostOf(model, "*.shop.test")!.CertificateId, Is.Not.Null);
        Assert.That(model.AnyHost.CertificateId, Is.Null);
    }

    [Test]
    public void A_TLS_host_no_rule_of_the_Ingress_has_is_a_warning_naming_it()
    {
        // "*.shop.test" does not cover the rule host "app.shop.test": hosts match literally.
        var ingress = Kube.Ingress("shop").WithPath("app.shop.test", "/", "Prefix", "web", 80).WithTls("shop-tls", "*.shop.test");
        var model = Build([ingress, Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, ShopCertificate.Key), .. Web()]);

        var warning = model.Diagnostics.Single(d => d.Field == "spec.tls[0].hosts[0]");
        Assert.That(warning.Severity, Is.EqualTo(Severity.Warning));
        Assert.That(warning.Message, Does.Contain("*.shop.test").And.Contain("not a host of this Ingress's rules"));
        Assert.That(HostOf(model, "app.shop.test")!.CertificateId, Is.Null, "still plain HTTP, now with a diagnostic");
    }

    [Test]
    public void The_oldest_Ingress_decides_the_certificate_of_a_host()
    {
        var old = Kube.Ingress("old", ageRank: 1).WithPath("shop.test", "/", "Prefix", "web", 80).WithTls("shop-tls", "shop.test");
        var young = Kube.Ingress("young", ageRank: 2).WithPath("shop.test", "/x", "Prefix", "web", 80).WithTls("other-tls", "shop.test");
        var model = Build([young, old, Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, ShopCertificate.Key),
            Kube.TlsSecret("other-tls", OtherCertificate.Certificate, OtherCertificate.Key), .. Web()]);
        Assert.That(model.Certificates.Single().Secret.Name, Is.EqualTo("shop-tls"));
        var diagnostic = model.Diagnostics.Single();
        Assert.That((diagnostic.Target.Name, diagnostic.Severity), Is.EqualTo(("young", Severity.Warning)));
    }

    [TestCase("shop-tls;")]
    [TestCase("../../etc/shadow")]
    [TestCase("Shop")]
    public void An_invalid_secret_name_is_an_error(string name)
    {
        var model = Build([Shop(name), .. Web()]);
        Assert.That(HostOf(model, "shop.test")!.CertificateId, Is.Null);
        Assert.That(model.Diagnostics.Single().Field, Is.EqualTo("spec.tls[0].secretName"));
    }

    [Test]
    public void Secrets_are_read_from_the_Ingress_namespace_only()
    {
        var model = Build([Shop(), Kube.TlsSecret("shop-tls", ShopCertificate.Certificate, ShopCertificate.Key, ns: "elsewhere"), .. Web()]);
        Assert.That(HostOf(model, "shop.test")!.CertificateId, Is.Null);
        Assert.That(model.Diagnostics.Single().Message, Does.Contain("not found"));
    }

    [Test]
    public void The_default_certificate_option_loads_that_Secret()
    {
        var options = new BuildOptions { DefaultCertificate = new NamespacedName("portico", "fallback") };
        var model = Build(options, Kube.TlsSecret("fallback", OtherCertificate.Certificate, OtherCertificate.Key, ns: "portico"));
        Assert.That(model.DefaultCertificateId, Is.EqualTo(model.Certificates.Single().Id));

        var missing = Build(options);
        Assert.That(missing.DefaultCertificateId, Is.Null);
        Assert.That(missing.Diagnostics.Single().Target, Is.EqualTo(new ObjectRef("Secret", "portico", "fallback")));
    }

    [Test]
    public void Oversized_PEM_is_refused()
    {
        string huge = ShopCertificate.Certificate + new string('A', 1024 * 1024);
        var model = Build([Shop(), Kube.TlsSecret("shop-tls", huge, ShopCertificate.Key), .. Web()]);
        Assert.That(model.Diagnostics.Single().Message, Does.Contain("more than"));
    }
}
