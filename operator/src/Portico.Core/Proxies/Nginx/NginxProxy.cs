using System.Diagnostics;
using Portico.Core.Applying;
using Portico.Core.Applying.Nginx;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Nginx;

namespace Portico.Core.Proxies.Nginx;

/// <summary>
/// nginx: rendered by <see cref="NginxRenderer"/> (Rendering/Nginx/), checked with <c>nginx -t</c>
/// (<see cref="NginxConfigValidator"/>), reloaded by SIGHUP through the pid file on the shared volume or by a
/// configured command, confirmed by the config hash nginx serves on its loopback status listener, and fed endpoints
/// without reloads through the live endpoints file (<see cref="NginxEndpointsTransition"/>). Local mode runs
/// <c>nginx -p DIR/ -c current/nginx.conf -e stderr -g "daemon off;"</c> on the shared directory; reloads are SIGHUP,
/// a graceful stop is SIGQUIT. Started by root, nginx would run its workers as "nobody"; but the workers read files
/// themselves at request time (the live endpoints file, and the basic-auth user files, which are private: 0600, the
/// operator's user), so in this local mode they run as root too ("user root;"). In the pod both containers run as one
/// non-root user and nothing of this applies.
/// </summary>
internal sealed class NginxProxy : ProxyKind
{
    /// <summary>Where nginx writes its pid, relative to the shared directory (its prefix).</summary>
    public const string PidFile = "nginx.pid";

    private static readonly NginxEndpointsTransition Transition = new();

    public override string Name => "nginx";

    public override string DisplayName => "nginx";

    public override string MissingBinaryMessage => "local mode runs nginx, but none was found on PATH or in /usr/sbin (install it, or pass --nginx PATH)";

    public override ILiveTransition LiveTransition => Transition;

    public override IProxyRenderer CreateRenderer(string? templatesDirectory = null) => new NginxRenderer(TemplateSet.Load(Name, templatesDirectory));

    /// <summary>The first "nginx" on PATH, else /usr/sbin/nginx, else null.</summary>
    public override string? FindBinary() => ExecutableLookup.Find("nginx", "/usr/sbin");

    public override IConfigValidator? CreateValidator(string sharedDirectory, string? binary, TimeSpan timeout) =>
        binary is null ? null : new NginxConfigValidator(binary, sharedDirectory, timeout);

    public override IReloadTrigger CreateReloadTrigger(string sharedDirectory, IReadOnlyList<string>? reloadCommand) =>
        reloadCommand is { } command
            ? new CommandReloadTrigger(command, ReloadCommandTimeout)
            : new PidFileReloadTrigger(Path.Combine(sharedDirectory, PidFile));

    public override IAppliedConfigProbe CreateProbe(ProxySettings settings, VersionedConfigDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ConfigHashProbe(new Uri($"http://{settings.StatusListen}/portico/config-hash"));
    }

    public override ProcessStartInfo LocalStartInfo(string binary, string root)
    {
        string prefix = Path.GetFullPath(root).TrimEnd('/') + "/";
        var start = new ProcessStartInfo(binary) { UseShellExecute = false };
        string globals = Environment.UserName == "root" ? "daemon off; user root;" : "daemon off;";
        foreach (string argument in new[] { "-p", prefix, "-c", "current/nginx.conf", "-e", "stderr", "-g", globals })
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    public override bool ReloadLocal(Process running)
    {
        ArgumentNullException.ThrowIfNull(running);
        return PosixSignals.TrySend(running.Id, PosixSignals.Hangup, out int errno)
            ? true
            : throw new ReloadException($"could not signal nginx (pid {running.Id}): errno {errno}");
    }

    public override bool StopLocal(Process running)
    {
        ArgumentNullException.ThrowIfNull(running);
        return PosixSignals.TrySend(running.Id, PosixSignals.Quit, out _);
    }
}
