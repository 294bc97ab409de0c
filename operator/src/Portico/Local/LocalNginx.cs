using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;

namespace Portico.Local;

/// <summary>
/// Local mode's nginx: <c>nginx -p DIR/ -c current/nginx.conf -e stderr -g "daemon off;"</c> on the shared
/// directory; reloads are SIGHUP, a graceful stop is SIGQUIT. Started by root, nginx runs its workers as "nobody",
/// and the workers read the endpoints file themselves: when "nobody" cannot reach the shared directory (a checkout
/// under a 0700 home, say), the workers run as root instead ("user root;"), which only this local tool ever does.
/// </summary>
public sealed class LocalNginx(string binary, string prefix, ILogger<LocalNginx> logger) : LocalProxyProcess("nginx", logger)
{
    private readonly string _prefix = Path.GetFullPath(prefix).TrimEnd('/') + "/";

    protected override ProcessStartInfo CreateStartInfo()
    {
        var start = new ProcessStartInfo(binary) { UseShellExecute = false };
        string globals = Environment.UserName == "root" && !ReachableByOthers(_prefix) ? "daemon off; user root;" : "daemon off;";
        foreach (string argument in new[] { "-p", _prefix, "-c", "current/nginx.conf", "-e", "stderr", "-g", globals })
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Whether a user who is neither owner nor group member can enter every directory down to <paramref name="directory"/> and list it.</summary>
    internal static bool ReachableByOthers(string directory)
    {
        for (var current = new DirectoryInfo(directory); current is not null; current = current.Parent)
        {
            if (current.Exists && !current.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }

        return true;
    }

    protected override bool Reload(Process running) =>
        PosixSignals.TrySend(running.Id, PosixSignals.Hangup, out int errno)
            ? true
            : throw new ReloadException($"could not signal nginx (pid {running.Id}): errno {errno}");

    protected override bool RequestStop(Process running) => PosixSignals.TrySend(running.Id, PosixSignals.Quit, out _);
}
