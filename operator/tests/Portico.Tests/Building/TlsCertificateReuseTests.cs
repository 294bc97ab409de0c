using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.TestSupport;

namespace Portico.Tests.Building;

/// <summary>
/// A TLS Secret is parsed once per instance: the store keeps an unchanged Secret as the same object from snapshot to
/// snapshot, so later builds reuse the parse; a changed Secret (a new instance) is parsed again, and the same
/// instance under a stricter limit is judged by that limit.
/// </summary>
public sealed class TlsCertificateReuseTests
{
    private static readonly TestCertificates.Pem First = TestCertificates.Create("a.test");
    private static readonly TestCertificates.Pem Second = TestCertificates.Create("a.test");
    private static readonly NamespacedName Key = new("default", "tls");

    [Test]
    public void The_same_Secret_instance_is_parsed_once_and_a_new_instance_again()
    {
        var secret = Kube.TlsSecret("tls", First.Certificate, First.Key);
        var snapshot = Kube.Snapshot(secret);
        var first = new TlsCertificateLoader(snapshot, new BuildLimits()).Load(Key, out _);
        var again = new TlsCertificateLoader(Kube.Snapshot(secret), new BuildLimits()).Load(Key, out _);
        Assert.That(again, Is.SameAs(first), "a later build reuses the parse of the same instance");

        var replaced = new TlsCertificateLoader(Kube.Snapshot(Kube.TlsSecret("tls", Second.Certificate, Second.Key)), new BuildLimits()).Load(Key, out _);
        Assert.That(replaced, Is.Not.Null);
        Assert.That(replaced!.Id, Is.Not.EqualTo(first!.Id), "a new instance with another certificate is parsed again");
    }

    [Test]
    public void A_stricter_limit_judges_the_same_instance_again()
    {
        var secret = Kube.TlsSecret("tls", First.Certificate, First.Key);
        Assert.That(new TlsCertificateLoader(Kube.Snapshot(secret), new BuildLimits()).Load(Key, out _), Is.Not.Null);
        var limited = new TlsCertificateLoader(Kube.Snapshot(secret), new BuildLimits { MaxPemBytes = 16 }).Load(Key, out string error);
        Assert.That(limited, Is.Null);
        Assert.That(error, Does.Contain("more than 16 bytes"));
    }
}
