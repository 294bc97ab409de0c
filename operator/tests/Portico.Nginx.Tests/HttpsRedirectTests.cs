using Portico.Core.Building;

namespace Portico.Nginx.Tests;

/// <summary>The opt-in RedirectHttpToHttps setting: plain HTTP to a TLS host answers 308 to https; other hosts are served.</summary>
[TestFixture]
public sealed class HttpsRedirectTests
{
    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _scenario = await NginxScenario.StartAsync(
        TlsFixtureCertificates.Backends,
        TlsFixtureCertificates.Objects,
        options: new BuildOptions { RedirectHttpToHttps = true });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [TestCase("tls-a.test", "/", "tls-a.test")]
    [TestCase("tls-a.test", "/x/y?q=1&r=/s", "tls-a.test")]
    [TestCase("TLS-B.test:8080", "/b", "tls-b.test")]
    [TestCase("x.wild.test", "/w?z", "x.wild.test")]
    public async Task A_TLS_host_answers_plain_HTTP_with_a_308_to_https(string host, string target, string redirectHost)
    {
        var response = await _scenario.GetAsync(host, target);
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((308, (string?)null)), response.ToString());
        Assert.That(response.Location, Is.EqualTo($"https://{redirectHost}:{_scenario.HttpsPort}{target}"));
    }

    [TestCase("plain.test", "plain")]
    [TestCase("broken.test", "broken")]
    public async Task Hosts_without_TLS_are_not_redirected(string host, string backend) =>
        PathMatchingTests.AssertServedBy(await _scenario.GetAsync(host, "/p?q"), backend);

    [Test]
    public async Task Unknown_hosts_are_not_redirected() =>
        Assert.That((await _scenario.GetAsync("unknown.test")).StatusCode, Is.EqualTo(404));

    [Test]
    public async Task The_https_side_serves_without_redirecting()
    {
        var response = await _scenario.GetTlsAsync("tls-a.test", "/x");
        PathMatchingTests.AssertServedBy(response, "a");
        Assert.That(response.Echo.XForwardedProto, Is.EqualTo("https"));
    }
}
