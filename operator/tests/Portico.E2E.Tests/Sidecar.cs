using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Applying;
using Portico.Core.Proxies;
using Portico.Local;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.E2E.Tests;

/// <summary>
/// The nginx container of the pod, played by the test: waits for the operator's first configuration in the shared
/// directory, then runs <c>nginx -p SHARED/ -c current/nginx.conf</c> as the sidecar's command does. From then on
/// the operator reloads it with SIGHUP through the pid file, exactly as in the pod.
/// </summary>
internal sealed class Sidecar(string shared) : IAsyncDisposable
{
    private readonly LocalProxyProcess _nginx = new(ProxyKind.Nginx, NginxProcess.Binary, shared, NullLogger<LocalProxyProcess>.Instance);

    public async Task StartWhenConfiguredAsync()
    {
        string config = Path.Combine(shared, VersionedConfigDirectory.CurrentLinkName, "nginx.conf");
        Assert.That(await Eventually.TrueAsync(() => File.Exists(config)), Is.True, $"the operator wrote no configuration into {shared}");
        await _nginx.TriggerAsync(default);
    }

    public ValueTask DisposeAsync() => _nginx.DisposeAsync();
}
