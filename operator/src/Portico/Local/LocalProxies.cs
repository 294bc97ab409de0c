using Microsoft.Extensions.Logging;
using Portico.Core.Proxies;

namespace Portico.Local;

/// <summary>
/// The process local mode runs for each proxy. The one per-proxy part that lives here rather than in the proxy's
/// <see cref="ProxyKind"/>: supervising a process logs, and the core has no logging.
/// </summary>
internal static class LocalProxies
{
    private static readonly Dictionary<ProxyKind, Func<string, string, ILoggerFactory, LocalProxyProcess>> Factories = new()
    {
        [ProxyKind.Nginx] = (binary, root, logs) => new LocalNginx(binary, root, logs.CreateLogger<LocalNginx>()),
        [ProxyKind.Envoy] = (binary, root, logs) => new LocalEnvoy(binary, root, logs.CreateLogger<LocalEnvoy>()),
    };

    /// <summary>The process that runs <paramref name="binary"/> on the shared directory <paramref name="root"/>.</summary>
    public static LocalProxyProcess Create(ProxyKind kind, string binary, string root, ILoggerFactory logs) => Factories[kind](binary, root, logs);
}
