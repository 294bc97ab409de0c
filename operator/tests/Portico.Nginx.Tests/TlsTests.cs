namespace Portico.Nginx.Tests;

/// <summary>TLS by SNI without a default certificate (DESIGN.md §3): each host its own certificate, everything else refused.</summary>
[TestFixture]
public sealed class TlsTests
{
    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync(TlsFixtureCertificates.Backends, TlsFixtureCertificates.Objects);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [TestCase("tls-a.test", "CN=tls-a.test", "tls-a.test")]
    [TestCase("TLS-A.Test", "CN=tls-a.test", "tls-a.test")]
    [TestCase("tls-b.test", "CN=tls-b.test", "tls-b.test")]
    [TestCase("x.wild.test", "CN=*.wild.test", "*.wild.test")]
    public async Task Each_SNI_gets_the_certificate_of_its_host(string sni, string subject, string dnsName)
    {
        var handshake = await _scenario.HandshakeAsync(sni);
        Assert.That(handshake.Succeeded, Is.True, handshake.ToString());
        Assert.That(handshake.Certificate!.Subject, Is.EqualTo(subject));
        Assert.That(handshake.DnsNames, Is.EqualTo(new[] { dnsName }));
    }

    [TestCase("tls-a.test", "a")]
    [TestCase("tls-b.test", "b")]
    [TestCase("x.wild.test", "wild")]
    public async Task Requests_over_TLS_are_routed_by_host(string host, string backend)
    {
        var response = await _scenario.GetTlsAsync(host, "/x?y=1");
        PathMatchingTests.AssertServedBy(response, backend);
        Assert.That(response.Echo.XForwardedProto, Is.EqualTo("https"));
        Assert.That(response.ServerCertificate!.Subject, Is.EqualTo("CN=" + (host == "x.wild.test" ? "*.wild.test" : host)));
    }

    [TestCase("plain.test")]
    [TestCase("broken.test")]
    [TestCase("unknown.test")]
    [TestCase("a.b.wild.test")]
    [TestCase("wild.test")]
    [TestCase("")]
    public async Task Without_a_default_certificate_a_handshake_for_a_host_without_TLS_is_rejected(string sni)
    {
        var handshake = await _scenario.HandshakeAsync(sni);
        Assert.That(handshake.Succeeded, Is.False, handshake.ToString());
    }

    [Test]
    public async Task A_Secret_whose_key_does_not_match_is_a_warning_and_its_host_is_still_served_over_HTTP()
    {
        TlsFixtureCertificates.AssertBrokenSecretWarning(_scenario);
        PathMatchingTests.AssertServedBy(await _scenario.GetAsync("broken.test"), "broken");
        PathMatchingTests.AssertServedBy(await _scenario.GetTlsAsync("tls-a.test"), "a");
    }

    [TestCase("plain.test", "plain")]
    [TestCase("tls-a.test", "a")]
    public async Task Plain_HTTP_still_serves_every_host_when_redirects_are_off(string host, string backend)
    {
        var response = await _scenario.GetAsync(host);
        PathMatchingTests.AssertServedBy(response, backend);
        Assert.That(response.Echo.XForwardedProto, Is.EqualTo("http"));
    }
}
