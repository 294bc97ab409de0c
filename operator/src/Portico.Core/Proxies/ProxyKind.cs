using System.Diagnostics;
using Portico.Core.Applying;
using Portico.Core.Proxies.Envoy;
using Portico.Core.Proxies.Nginx;
using Portico.Core.Rendering;

namespace Portico.Core.Proxies;

/// <summary>
/// One proxy Portico can drive, with every part that differs between proxies: the renderer, the schema check, the
/// checker that runs the proxy binary on a staged version, the reload trigger, the probe that confirms a reload, the
/// live data transition, and where its binary is found. The `proxy` option is parsed into one of <see cref="All"/>
/// once (<see cref="Find"/>); afterwards the composition roots (`portico run`, the offline verbs) ask the kind for its
/// parts, and nothing compares proxy names. Local mode's process (Portico.Local.LocalProxyProcess) starts, reloads
/// and stops the proxy as its kind says. A new proxy is one more subclass in a folder of its own.
/// </summary>
public abstract class ProxyKind
{
    /// <summary>How long a cluster-mode reload command may take.</summary>
    public static readonly TimeSpan ReloadCommandTimeout = TimeSpan.FromSeconds(30);

    public static ProxyKind Nginx { get; } = new NginxProxy();

    public static ProxyKind Envoy { get; } = new EnvoyProxy();

    /// <summary>Every proxy, the default first.</summary>
    public static IReadOnlyList<ProxyKind> All { get; } = [Nginx, Envoy];

    /// <summary>The name the `proxy` option gives, which is also the template folder (templates/NAME/).</summary>
    public abstract string Name { get; }

    /// <summary>The proxy's name in log lines ("nginx", "Envoy").</summary>
    public abstract string DisplayName { get; }

    /// <summary>The kind named <paramref name="name"/> (the `proxy` option, exactly), or null.</summary>
    public static ProxyKind? Find(string name) => All.FirstOrDefault(kind => kind.Name == name);

    /// <summary>The renderer, with the built-in templates overridden file by file from <paramref name="templatesDirectory"/>/NAME/.</summary>
    public abstract IProxyRenderer CreateRenderer(string? templatesDirectory = null);

    /// <summary>The proxy's schema check when there is one and it is installed; null otherwise.</summary>
    public virtual IConfigSchemaValidator? FindSchemaCheck(string? baseDirectory = null) => null;

    /// <summary>Why the schema check did not run, for `portico validate`; null when the proxy has no schema check.</summary>
    public virtual string? SchemaCheckMissingNote(string? baseDirectory = null) => null;

    /// <summary>The proxy binary on this machine (local mode runs it, and it checks staged versions), or null.</summary>
    public abstract string? FindBinary();

    /// <summary>Why local mode cannot start when <see cref="FindBinary"/> finds nothing and none was given.</summary>
    public abstract string MissingBinaryMessage { get; }

    /// <summary>
    /// The checks run on each staged version before it is swapped in, with <paramref name="binary"/> when there is one
    /// (nginx -t; the schema check and envoy --mode validate); null when there is nothing to run.
    /// </summary>
    public abstract IConfigValidator? CreateValidator(string sharedDirectory, string? binary, TimeSpan timeout);

    /// <summary>How a sidecar proxy is told to reload in cluster mode (local mode's own process is its trigger there).</summary>
    public abstract IReloadTrigger CreateReloadTrigger(string sharedDirectory, IReadOnlyList<string>? reloadCommand);

    /// <summary>How the applier confirms which configuration the proxy runs, at the status address of <paramref name="settings"/>.</summary>
    public abstract IAppliedConfigProbe CreateProbe(ProxySettings settings, VersionedConfigDirectory directory);

    /// <summary>The live data to publish while a reload is in flight; null when the proxy has none to carry over.</summary>
    public virtual ILiveTransition? LiveTransition => null;

    /// <summary>How local mode starts the proxy on the shared directory <paramref name="root"/> (in the foreground, output inherited).</summary>
    public abstract ProcessStartInfo LocalStartInfo(string binary, string root);

    /// <summary>
    /// Asks the running proxy of local mode to load the configuration again: true when asked (or when the swap itself
    /// is the reload); throws <see cref="ReloadException"/> when asking fails.
    /// </summary>
    public abstract bool ReloadLocal(Process running);

    /// <summary>Asks the proxy local mode runs to stop gracefully; false when it has no graceful stop (it is then killed).</summary>
    public abstract bool StopLocal(Process running);

    public override string ToString() => Name;
}
