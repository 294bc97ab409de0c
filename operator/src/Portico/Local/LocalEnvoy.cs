using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying.Envoy;

namespace Portico.Local;

/// <summary>
/// Local mode's Envoy: working directory the shared root, <c>envoy -c current/envoy.json</c>. Envoy needs no signal
/// for later configurations: it watches the root, so the applier's swap of <c>current</c> is the reload, and the
/// admin API confirms it. It has no graceful stop here: it is killed.
/// </summary>
public sealed class LocalEnvoy(string binary, string root, ILogger<LocalEnvoy> logger) : LocalProxyProcess("Envoy", logger)
{
    private readonly string _root = Path.GetFullPath(root);

    protected override ProcessStartInfo CreateStartInfo() => EnvoyLocalMode.StartInfo(binary, _root, "info");

    protected override bool Reload(Process running) => true;

    protected override bool RequestStop(Process running) => false;
}
