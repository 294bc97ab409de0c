using Portico.Core.Applying;
using Portico.Core.Applying.Nginx;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Nginx;

namespace Portico.Core.Proxies.Nginx;

/// <summary>
/// nginx: rendered by <see cref="NginxRenderer"/> (Rendering/Nginx/), checked with <c>nginx -t</c>
/// (<see cref="NginxConfigValidator"/>), reloaded by SIGHUP through the pid file on the shared volume or by a
/// configured command, confirmed by the config hash nginx serves on its loopback status listener, and fed endpoints
/// without reloads through the live endpoints file (<see cref="NginxEndpointsTransition"/>). Local mode runs nginx
/// itself (Portico.Local.LocalNginx).
/// </summary>
internal sealed class NginxProxy : ProxyKind
{
    /// <summary>Where nginx writes its pid, relative to the shared directory (its prefix).</summary>
    public const string PidFile = "nginx.pid";

    private static readonly NginxEndpointsTransition Transition = new();

    public override string Name => "nginx";

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
}
