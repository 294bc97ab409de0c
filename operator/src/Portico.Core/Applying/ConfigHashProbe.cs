namespace Portico.Core.Applying;

/// <summary>
/// Reads the config hash nginx answers on its loopback status endpoint (<c>/portico/config-hash</c>), and the
/// endpoints version all its workers have loaded (<c>/portico/endpoints-hash</c>, next to it). Each request uses a
/// new connection: after a reload, old nginx workers keep their kept-alive connections and would answer the old hash.
/// </summary>
public sealed class ConfigHashProbe : IAppliedConfigProbe, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(1);
    private readonly HttpClient _http;

    public ConfigHashProbe(Uri endpoint)
    {
        Endpoint = endpoint;
        LiveEndpoint = new Uri(endpoint, "endpoints-hash");
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = RequestTimeout, PooledConnectionLifetime = TimeSpan.Zero })
        {
            Timeout = RequestTimeout,
        };
    }

    public Uri Endpoint { get; }

    private Uri LiveEndpoint { get; }

    /// <summary>The hash the proxy serves now, or null when it does not answer (not running, or not yet).</summary>
    public Task<string?> ReadAppliedHashAsync(CancellationToken cancellationToken) => ReadAsync(Endpoint, cancellationToken);

    /// <summary>The endpoints version every worker has loaded; null or empty while they differ or do not answer.</summary>
    public Task<string?> ReadLiveHashAsync(CancellationToken cancellationToken) => ReadAsync(LiveEndpoint, cancellationToken);

    private async Task<string?> ReadAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
            request.Headers.ConnectionClose = true;
            using var response = await _http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? (await response.Content.ReadAsStringAsync(cancellationToken)).Trim() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
