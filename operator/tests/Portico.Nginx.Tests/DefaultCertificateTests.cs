using Portico.Core.Building;
using Portico.Core.Kubernetes;

namespace Portico.Nginx.Tests;

/// <summary>TLS with a default certificate: unknown SNI and hosts with an unusable Secret get it.</summary>
[TestFixture]
public sealed class DefaultCertificateTests
{
    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync(
        TlsFixtureCertificates.Backends,
        TlsFixtureCertificates.Objects,
        new BuildOptions { DefaultCertificate = new NamespacedName("portico", "default-cert") });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [TestCase("unknown.test")]
    [TestCase("a.b.wild.test")]
    [TestCase("")]
    [TestCase("broken.test")]
    public async Task Unknown_SNI_and_hosts_with_an_unusable_Secret_get_the_default_certificate(string sni)
    {
        var handshake = await _scenario.HandshakeAsync(sni);
        Assert.That(handshake.Succeeded, Is.True, handshake.ToString());
        Assert.That(handshake.Certificate!.Subject, Is.EqualTo("CN=default.portico.test"));
    }

    [TestCase("tls-a.test", "CN=tls-a.test")]
    [TestCase("tls-b.test", "CN=tls-b.test")]
    [TestCase("x.wild.test", "CN=*.wild.test")]
    public async Task Hosts_with_their_own_certificate_keep_it(string sni, string subject)
    {
        var handshake = await _scenario.HandshakeAsync(sni);
        Assert.That(handshake.Certificate?.Subject, Is.EqualTo(subject), handshake.ToString());
    }

    [Test]
    public async Task A_host_whose_Secret_is_unusable_is_served_over_TLS_with_the_default_certificate()
    {
        TlsFixtureCertificates.AssertBrokenSecretWarning(_scenario);
        var response = await _scenario.GetTlsAsync("broken.test", "/page");
        PathMatchingTests.AssertServedBy(response, "broken");
        Assert.That(response.ServerCertificate!.Subject, Is.EqualTo("CN=default.portico.test"));
        PathMatchingTests.AssertServedBy(await _scenario.GetTlsAsync("tls-b.test"), "b");
    }

    [Test]
    public async Task An_unknown_host_over_TLS_gets_404_without_a_default_backend()
    {
        var response = await _scenario.GetTlsAsync("unknown.test");
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((404, (string?)null)), response.ToString());
    }
}
