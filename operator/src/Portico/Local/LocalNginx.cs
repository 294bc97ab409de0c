using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;

namespace Portico.Local;

/// <summary>
/// Local mode's nginx: <c>nginx -p DIR/ -c current/nginx.conf -e stderr -g "daemon off;"</c> on the shared
/// directory; reloads are SIGHUP, a graceful stop is SIGQUIT.
/// </summary>
public sealed class LocalNginx(string binary, string prefix, ILogger<LocalNginx> logger) : LocalProxyProcess("nginx", logger)
{
    private readonly string _prefix = Path.GetFullPath(prefix).TrimEnd('/') + "/";

    /// <summary>The first "nginx" on PATH, else /usr/sbin/nginx, else null.</summary>
    public static string? FindBinary() => ExecutableLookup.Find("nginx", "/usr/sbin");

    protected override ProcessStartInfo CreateStartInfo()
    {
        var start = new ProcessStartInfo(binary) { UseShellExecute = false };
        foreach (string argument in new[] { "-p", _prefix, "-c", "current/nginx.conf", "-e", "stderr", "-g", "daemon off;" })
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    protected override bool Reload(Process running) =>
        PosixSignals.TrySend(running.Id, PosixSignals.Hangup, out int errno)
            ? true
            : throw new ReloadException($"could not signal nginx (pid {running.Id}): errno {errno}");

    protected override bool RequestStop(Process running) => PosixSignals.TrySend(running.Id, PosixSignals.Quit, out _);
}
