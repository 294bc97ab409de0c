using System.Text;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// With Lua endpoints, a plain-HTTP host with an exact name and no policy has no server block: the default server
/// routes it from the live file (ADR 0014). On real nginx: such a host is routed by its own rules alone, never by the
/// hostless rules' locations, their policies or their redirects; a body and the method pass through; a host a
/// wildcard could take keeps its own block; HTTPS requests naming it stay the default server's.
/// </summary>
[TestFixture]
public sealed class DefaultServedHostTests
{
    private static readonly string[] Services = ["plain", "api", "catchall", "wild", "exactx", "a", "anyhost"];

    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _scenario = await NginxScenario.StartAsync(Services, backends =>
        [
            Kube.Ingress("plain").WithPath("plain.test", "/", "Prefix", "plain", 80),
            Kube.Ingress("api").WithPath("api.test", "/v1", "Exact", "api", 80).WithPath("api.test", "/", "Prefix", "catchall", 80),
            Kube.Ingress("wild").WithPath("*.wild.test", "/", "Prefix", "wild", 80).WithPath("x.wild.test", "/", "Prefix", "exactx", 80),
            Kube.Ingress("tls").WithPath("tls-a.test", "/", "Prefix", "a", 80).WithTls("a-tls", "tls-a.test"),
            Kube.TlsSecret("a-tls", TlsFixtureCertificates.A.Certificate, TlsFixtureCertificates.A.Key),
            // Hostless rules that must never reach the plain hosts: an allow-list the loopback client is not on, and
            // a redirect.
            Kube.Ingress("gate").WithAnnotation("nginx.ingress.kubernetes.io/whitelist-source-range", "192.0.2.0/24").WithPath(null, "/", "Prefix", "anyhost", 80),
            Kube.Ingress("moved").WithAnnotation("nginx.ingress.kubernetes.io/permanent-redirect", "https://elsewhere.test/").WithPath(null, "/moved", "Prefix", "anyhost", 80),
            .. Services.SelectMany(s => NginxScenario.Service(s, [backends[s]])),
        ]);
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

    private string NginxConf => Encoding.UTF8.GetString(_scenario.Result.Config["nginx.conf"]!.Content);

    [Test]
    public void Plain_hosts_have_no_server_block_and_a_host_a_wildcard_could_take_keeps_its_own()
    {
        Assert.That(NginxConf, Does.Not.Contain("\"plain.test\"").And.Not.Contain("\"api.test\""));
        Assert.That(NginxConf, Does.Contain("server_name \"x.wild.test\";").And.Contain("server_name \"tls-a.test\";"));
        string live = Encoding.UTF8.GetString(_scenario.Result.Config["portico-endpoints.txt"]!.Content);
        Assert.That(live, Does.Contain("\n=plain.test ").And.Contain("\n=api.test "));
    }

    [TestCase("plain.test", "/", "plain")]
    [TestCase("plain.test", "/moved", "plain")]
    [TestCase("plain.test", "/moved/deeper", "plain")]
    [TestCase("PLAIN.Test:8080", "/x", "plain")]
    [TestCase("plain.test.", "/", "plain")]
    [TestCase("api.test", "/v1", "api")]
    [TestCase("api.test", "/v1/", "catchall")]
    [TestCase("api.test", "/moved", "catchall")]
    [TestCase("x.wild.test", "/", "exactx")]
    [TestCase("y.wild.test", "/moved", "wild")]
    public async Task A_plain_host_is_routed_by_its_own_rules_never_by_the_hostless_ones(string host, string path, string backend)
    {
        var response = await _scenario.GetAsync(host, path);
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, backend)), response.ToString());
        Assert.That(response.Echo.Host, Is.EqualTo(host), "the backend sees the Host header as sent");
    }

    [TestCase("unknown.test", "/", 403)]
    [TestCase("unknown.test", "/moved", 301)]
    public async Task Hosts_no_rule_names_still_get_the_hostless_rules(string host, string path, int status)
    {
        // Not checked against `portico explain`: it answers for routes, not for what their policies do.
        var response = await _scenario.SendAsync(host, path);
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((status, (string?)null)), response.ToString());
    }

    [TestCase("POST")]
    [TestCase("PUT")]
    [TestCase("DELETE")]
    public async Task The_method_the_body_and_the_query_pass_through(string method)
    {
        string body = new('b', 70_000);
        var response = await _scenario.SendAsync("plain.test", "/upload?x=1&y=%2F", method, body: body);
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((200, "plain")), response.ToString());
        Assert.That((response.Echo.Method, response.Echo.Target), Is.EqualTo((method, "/upload?x=1&y=%2F")));
        Assert.That(response.Echo.Headers["content-length"], Is.EqualTo("70000"), "the whole body arrived");
    }

    [TestCase(1024 * 1024, false, 200)]
    [TestCase((1024 * 1024) + 1, false, 413)]
    [TestCase(3 * 1024 * 1024, false, 413)]
    [TestCase((1024 * 1024) + 1, true, 413)]
    public async Task A_body_over_the_global_limit_gets_413_as_on_a_host_with_a_server_block(int size, bool chunked, int status)
    {
        // client_max_body_size is 1m by default. nginx checks a Content-Length when it finds a location, a step a
        // request the default server hands to @portico_hosts never takes: before the fix, 1.5 MB reached the backend.
        var headers = chunked ? new Dictionary<string, string> { ["Transfer-Encoding"] = "chunked" } : null;
        var response = await _scenario.SendAsync("plain.test", "/upload", "POST", body: new string('b', size), headers: headers);
        Assert.That((response.StatusCode, response.Backend), Is.EqualTo((status, status == 200 ? "plain" : null)), response.ToString());
    }

    [Test]
    public async Task Over_HTTPS_a_plain_host_is_not_served_even_through_another_hosts_handshake()
    {
        var response = await ProxyClient.GetTlsAsync(_scenario.HttpsPort, "plain.test", "/", sni: "tls-a.test");
        Assert.That(response.Backend, Is.Not.EqualTo("plain"), response.ToString());
        Assert.That(response.StatusCode, Is.EqualTo(403), "the hostless rules of the default server answer, as for any host it does not know");
    }
}
