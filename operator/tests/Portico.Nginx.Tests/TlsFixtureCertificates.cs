using Portico.Core.Model;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>Certificates made for these tests, shared by the TLS fixtures.</summary>
internal static class TlsFixtureCertificates
{
    public static readonly TestCertificates.Pem A = TestCertificates.Create("tls-a.test");
    public static readonly TestCertificates.Pem B = TestCertificates.Create("tls-b.test");
    public static readonly TestCertificates.Pem Wild = TestCertificates.Create("*.wild.test");
    public static readonly TestCertificates.Pem Broken = TestCertificates.Create("broken.test");
    public static readonly TestCertificates.Pem Default = TestCertificates.Create("default.portico.test");

    /// <summary>
    /// tls-a.test, tls-b.test and *.wild.test over TLS, each with its own certificate; plain.test without TLS;
    /// broken.test with a Secret whose key belongs to another certificate.
    /// </summary>
    public static IEnumerable<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>> Objects(IReadOnlyDictionary<string, TestBackend> backends)
    {
        var ingress = Kube.Ingress("tls")
            .WithPath("tls-a.test", "/", "Prefix", "a", 80)
            .WithPath("tls-b.test", "/", "Prefix", "b", 80)
            .WithPath("*.wild.test", "/", "Prefix", "wild", 80)
            .WithPath("plain.test", "/", "Prefix", "plain", 80)
            .WithPath("broken.test", "/", "Prefix", "broken", 80)
            .WithTls("a-tls", "tls-a.test")
            .WithTls("b-tls", "tls-b.test")
            .WithTls("wild-tls", "*.wild.test")
            .WithTls("broken-tls", "broken.test");
        return
        [
            ingress,
            Kube.TlsSecret("a-tls", A.Certificate, A.Key),
            Kube.TlsSecret("b-tls", B.Certificate, B.Key),
            Kube.TlsSecret("wild-tls", Wild.Certificate, Wild.Key),
            Kube.TlsSecret("broken-tls", Broken.Certificate, A.Key),
            Kube.TlsSecret("default-cert", Default.Certificate, Default.Key, ns: "portico"),
            .. new[] { "a", "b", "wild", "plain", "broken" }.SelectMany(s => NginxScenario.Service(s, [backends[s]])),
        ];
    }

    public static readonly string[] Backends = ["a", "b", "wild", "plain", "broken"];

    /// <summary>The warning for broken.test's Secret: on the Ingress, at the TLS entry's secretName.</summary>
    public static void AssertBrokenSecretWarning(NginxScenario scenario)
    {
        var diagnostic = scenario.Result.Diagnostics.Single();
        Assert.That(
            (diagnostic.Severity, diagnostic.Target, diagnostic.Field),
            Is.EqualTo((Severity.Warning, new ObjectRef("Ingress", "default", "tls"), "spec.tls[3].secretName")),
            diagnostic.ToString());
        Assert.That(diagnostic.Message, Does.Contain("broken-tls").And.Contain("default certificate"));
    }
}
