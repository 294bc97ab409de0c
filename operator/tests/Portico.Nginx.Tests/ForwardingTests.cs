using System.Net.WebSockets;
using System.Text;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// What the backend receives through nginx (DESIGN.md §3): the original Host, HTTP/1.1 with keep-alive,
/// X-Forwarded-For/-Proto/-Host (the client's own are replaced: forwarded headers are not trusted by default),
/// and WebSocket upgrades end to end.
/// </summary>
[TestFixture]
public sealed class ForwardingTests
{
    private const string Host = "fwd.test";
    private static readonly TestCertificates.Pem Certificate = TestCertificates.Create(Host);

    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _scenario = await NginxScenario.StartAsync(["fwd"], backends =>
        [
            Kube.Ingress("fwd").WithPath(Host, "/", "Prefix", "fwd", 80).WithTls("fwd-tls", Host),
            Kube.TlsSecret("fwd-tls", Certificate.Certificate, Certificate.Key),
            .. NginxScenario.Service("fwd", [backends["fwd"]]),
        ]);
        Assert.That(_scenario.Result.Diagnostics, Is.Empty);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [TestCase("fwd.test")]
    [TestCase("fwd.test:8080")]
    [TestCase("FWD.Test")]
    [TestCase("fwd.test:1")]
    public async Task The_backend_sees_the_original_Host_header(string host)
    {
        var echo = (await _scenario.GetAsync(host, "/h")).Echo;
        Assert.That(echo.Host, Is.EqualTo(host));
    }

    [Test]
    public async Task The_backend_is_spoken_to_in_HTTP_1_1_with_forwarding_headers_over_HTTP()
    {
        var echo = (await _scenario.GetAsync(Host, "/a?b=c")).Echo;
        Assert.Multiple(() =>
        {
            Assert.That(echo.Protocol, Is.EqualTo("HTTP/1.1"));
            Assert.That(echo.Method, Is.EqualTo("GET"));
            Assert.That(echo.Target, Is.EqualTo("/a?b=c"));
            Assert.That(echo.XForwardedFor, Is.EqualTo("127.0.0.1"));
            Assert.That(echo.XRealIp, Is.EqualTo("127.0.0.1"));
            Assert.That(echo.XForwardedProto, Is.EqualTo("http"));
            Assert.That(echo.XForwardedHost, Is.EqualTo(Host));
            Assert.That(echo.XForwardedPort, Is.EqualTo(_scenario.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task The_backend_is_told_https_for_requests_over_TLS()
    {
        var echo = (await _scenario.GetTlsAsync(Host, "/t")).Echo;
        Assert.Multiple(() =>
        {
            Assert.That(echo.Protocol, Is.EqualTo("HTTP/1.1"));
            Assert.That(echo.Host, Is.EqualTo(Host));
            Assert.That(echo.XForwardedFor, Is.EqualTo("127.0.0.1"));
            Assert.That(echo.XForwardedProto, Is.EqualTo("https"));
            Assert.That(echo.XForwardedHost, Is.EqualTo(Host));
            Assert.That(echo.XForwardedPort, Is.EqualTo(_scenario.HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task Forwarding_headers_sent_by_the_client_are_replaced()
    {
        var request = new ProxyRequest(_scenario.HttpPort, Host, "/spoof")
        {
            Headers = new Dictionary<string, string>
            {
                ["X-Forwarded-For"] = "203.0.113.7",
                ["X-Forwarded-Proto"] = "https",
                ["X-Forwarded-Host"] = "evil.test",
                ["X-Real-IP"] = "203.0.113.8",
            },
        };
        var echo = (await ProxyClient.SendAsync(request)).Echo;
        Assert.That(
            (echo.XForwardedFor, echo.XForwardedProto, echo.XForwardedHost, echo.XRealIp),
            Is.EqualTo(("127.0.0.1", "http", Host, "127.0.0.1")));
    }

    [Test]
    public async Task Upstream_connections_are_kept_alive()
    {
        var first = (await _scenario.GetAsync(Host, "/k1")).Echo;
        var second = (await _scenario.GetAsync(Host, "/k2")).Echo;
        Assert.That(first.Connection ?? string.Empty, Does.Not.Contain("close").IgnoreCase, "nginx must not ask the backend to close");
        Assert.That(second.ConnectionId, Is.EqualTo(first.ConnectionId), "two requests one after the other share one upstream connection");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_WebSocket_upgrade_works_end_to_end(bool tls)
    {
        int port = tls ? _scenario.HttpsPort : _scenario.HttpPort;
        using var handler = ProxyClient.CreateHandler(port, tls ? Host : null);
        using var invoker = new HttpMessageInvoker(handler);
        using var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        using var timeout = new CancellationTokenSource(ProxyClient.Timeout);
        await socket.ConnectAsync(new Uri($"ws://{Host}:{port}/chat"), invoker, timeout.Token);
        Assert.That(socket.HttpStatusCode, Is.EqualTo(System.Net.HttpStatusCode.SwitchingProtocols));

        foreach (string message in new[] { "hello", "second message" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.That(received.EndOfMessage, Is.True);
            Assert.That(Encoding.UTF8.GetString(buffer, 0, received.Count), Is.EqualTo("fwd: " + message));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.That(socket.State, Is.EqualTo(WebSocketState.Closed));
    }
}
