using Portico.TestSupport;

namespace Portico.Nginx.Tests;

/// <summary>
/// Ingress host semantics, served by real nginx (DESIGN.md §3): exact names case-insensitively with the port
/// ignored, "*.foo.test" for exactly one more label, exact before wildcard, hostless rules for every host no rule
/// names, and the default backend "fallback" for everything unmatched.
/// </summary>
[TestFixture]
public sealed class HostMatchingTests
{
    private static readonly string[] Services = ["wild", "exactfoo", "a", "anyhost", "fallback"];

    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _scenario = await NginxScenario.StartAsync(Services, backends =>
        {
            var hosts = Kube.Ingress("hosts", ageRank: 1)
                .WithPath("*.foo.test", "/", "Prefix", "wild", 80)
                .WithPath("exact.foo.test", "/", "Prefix", "exactfoo", 80)
                .WithPath("a.test", "/app", "Prefix", "a", 80)
                .WithPath(null, "/anyhost", "Prefix", "anyhost", 80);
            var fallback = Kube.Ingress("fallback", ageRank: 0).WithDefaultBackend("fallback", 80);
            return [hosts, fallback, .. Services.SelectMany(s => NginxScenario.Service(s, [backends[s]]))];
        });
        Assert.That(_scenario.Result.Diagnostics, Is.Empty, _scenario.RenderedText);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    // One extra label matches the wildcard; two or zero do not.
    [TestCase("bar.foo.test", "/", "wild")]
    [TestCase("x-1.foo.test", "/deep/path", "wild")]
    [TestCase("baz.bar.foo.test", "/", "fallback")]
    [TestCase("a.b.c.foo.test", "/", "fallback")]
    [TestCase("foo.test", "/", "fallback")]
    [TestCase("barfoo.test", "/", "fallback")]
    // An exact host beats a wildcard that also matches it.
    [TestCase("exact.foo.test", "/", "exactfoo")]
    // Hosts match case-insensitively, with any port.
    [TestCase("EXACT.Foo.Test", "/", "exactfoo")]
    [TestCase("BAR.FOO.TEST", "/", "wild")]
    [TestCase("A.TEST", "/app", "a")]
    [TestCase("a.test:8080", "/app", "a")]
    [TestCase("A.Test:1", "/app/x", "a")]
    [TestCase("bar.foo.test:8443", "/", "wild")]
    [TestCase("a.test.", "/app", "a")]
    // A known host whose paths do not match: the default backend (its own rules only, not the hostless ones).
    [TestCase("a.test", "/other", "fallback")]
    [TestCase("a.test", "/anyhost", "fallback")]
    [TestCase("bar.foo.test:80", "/anyhost", "wild")]
    // Hosts no rule names: the hostless rules, then the default backend.
    [TestCase("unknown.test", "/anyhost", "anyhost")]
    [TestCase("baz.bar.foo.test", "/anyhost/x", "anyhost")]
    [TestCase("foo.test", "/anyhost", "anyhost")]
    [TestCase("127.0.0.1", "/anyhost", "anyhost")]
    [TestCase("unknown.test", "/", "fallback")]
    [TestCase("unknown.test:9999", "/anyhostx", "fallback")]
    public async Task A_request_goes_to_the_backend_of_the_rule_its_host_matches(string host, string path, string expected)
    {
        var response = await _scenario.GetAsync(host, path);
        PathMatchingTests.AssertServedBy(response, expected);
        Assert.That(response.Echo.Host, Is.EqualTo(host), "the backend sees the Host header as sent");
    }
}
