using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Portico.TestSupport.Nginx;

/// <summary>
/// Sends requests to a proxy on 127.0.0.1 whatever the Host header or SNI says: connections always go to 127.0.0.1
/// and the port given; TLS is done here with the SNI given, and any certificate is accepted (the tests make their
/// own) and kept. Redirects are never followed; every call is bounded by <see cref="Timeout"/>.
/// </summary>
public static class ProxyClient
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Task<ProxyResponse> GetAsync(int port, string host, string pathAndQuery = "/", CancellationToken cancellationToken = default) =>
        SendAsync(new ProxyRequest(port, host, pathAndQuery), cancellationToken);

    /// <summary>
    /// GET for polling while a proxy may still be starting: a refused or failed connection comes back as status 0
    /// with the error as body, instead of an exception.
    /// </summary>
    public static async Task<ProxyResponse> TryGetAsync(int port, string host, string pathAndQuery = "/", CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync(port, host, pathAndQuery, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return new ProxyResponse(0, new Dictionary<string, string>(), e.Message, null);
        }
    }

    /// <summary>GET over TLS; the SNI is the host without its port unless given.</summary>
    public static Task<ProxyResponse> GetTlsAsync(int port, string host, string pathAndQuery = "/", string? sni = null, CancellationToken cancellationToken = default) =>
        SendAsync(new ProxyRequest(port, host, pathAndQuery) { Sni = sni ?? HostWithoutPort(host) }, cancellationToken);

    public static async Task<ProxyResponse> SendAsync(ProxyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        X509Certificate2? certificate = null;
        using var handler = CreateHandler(request.Port, request.Sni, c => certificate = c);
        using var client = new HttpClient(handler) { Timeout = Timeout };

        // The target is sent as given: no dot-segment removal, no re-escaping. The URI's host is never resolved.
        var uri = new Uri($"http://portico.invalid:{request.Port}{request.PathAndQuery}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), uri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Headers.Host = request.Host;
        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body);
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var response = await client.SendAsync(message, timeout.Token);
        string body = await response.Content.ReadAsStringAsync(timeout.Token);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(", ", values);
        }

        return new ProxyResponse((int)response.StatusCode, headers, body, certificate);
    }

    /// <summary>Only a TLS handshake with <paramref name="sni"/> ("" or null: no SNI): the certificate presented, or the failure.</summary>
    public static async Task<TlsHandshakeResult> HandshakeAsync(int port, string? sni, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var stream = await ConnectAsync(port, sni ?? string.Empty, timeout.Token);
            var ssl = (SslStream)stream;
            return new TlsHandshakeResult(Copy(ssl.RemoteCertificate), null);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return new TlsHandshakeResult(null, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>
    /// A handler whose connections go to 127.0.0.1:<paramref name="port"/> (TLS with <paramref name="sni"/> when it is
    /// not null), for callers that need their own client, such as <see cref="System.Net.WebSockets.ClientWebSocket"/>.
    /// Use an http:// or ws:// URI: TLS is already done underneath.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(int port, string? sni, Action<X509Certificate2>? onCertificate = null) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = Timeout,
        PooledConnectionLifetime = Timeout,
        ConnectCallback = async (_, cancellationToken) =>
        {
            var stream = await ConnectAsync(port, sni, cancellationToken);
            if (stream is SslStream ssl && onCertificate is not null && Copy(ssl.RemoteCertificate) is { } certificate)
            {
                onCertificate(certificate);
            }

            return stream;
        },
    };

    private static async Task<Stream> ConnectAsync(int port, string? sni, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var network = new NetworkStream(socket, ownsSocket: true);
        if (sni is null)
        {
            return network;
        }

        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = sni,
                    RemoteCertificateValidationCallback = AcceptPresentedCertificate,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                },
                cancellationToken);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The tests make their own self-signed certificates and check the presented certificate themselves (subject,
    /// names): any certificate is let through here, a handshake without one is not.
    /// </summary>
    private static bool AcceptPresentedCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null;

    private static X509Certificate2? Copy(X509Certificate? certificate) =>
        certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());

    private static string HostWithoutPort(string host)
    {
        int colon = host.LastIndexOf(':');
        return colon > 0 && !host.EndsWith(']') ? host[..colon] : host;
    }
}
