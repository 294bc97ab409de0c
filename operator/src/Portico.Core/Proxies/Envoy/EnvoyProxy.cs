using System.Diagnostics;
using Portico.Core.Applying;
using Portico.Core.Applying.Envoy;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;

namespace Portico.Core.Proxies.Envoy;

/// <summary>
/// Envoy: rendered by <see cref="EnvoyRenderer"/> (Rendering/Envoy/) as a bootstrap plus file-based xDS, checked
/// against Envoy's protos when the optional schema check is installed (<see cref="EnvoySchemaPlugin"/>) and with
/// <c>envoy --mode validate</c> where a binary is at hand, reloaded by the swap of <c>current</c> itself (Envoy
/// watches the shared root: <see cref="NoReloadTrigger"/>), confirmed through the admin API
/// (<see cref="EnvoyAdminProbe"/>). Local mode runs Envoy with the shared root as working directory,
/// <c>envoy -c current/envoy.json</c> (<see cref="EnvoyLocalMode"/>); it needs no signal for later configurations
/// and has no graceful stop here: it is killed.
/// </summary>
internal sealed class EnvoyProxy : ProxyKind
{
    public override string Name => "envoy";

    public override string DisplayName => "Envoy";

    public override string MissingBinaryMessage => "local mode with proxy envoy runs Envoy, but none was found on PATH (install it, or pass --envoy PATH)";

    public override IProxyRenderer CreateRenderer(string? templatesDirectory = null) => new EnvoyRenderer(TemplateSet.Load(Name, templatesDirectory));

    public override IConfigSchemaValidator? FindSchemaCheck(string? baseDirectory = null) => EnvoySchemaPlugin.Find(baseDirectory);

    public override string SchemaCheckMissingNote(string? baseDirectory = null) =>
        $"Envoy schema check not run: {EnvoySchemaPlugin.PluginPath(baseDirectory)} is not installed (build operator/src/Portico.Envoy.Schema; it needs npm)";

    /// <summary>The first "envoy" on PATH, else null.</summary>
    public override string? FindBinary() => ExecutableLookup.Find("envoy");

    public override IConfigValidator? CreateValidator(string sharedDirectory, string? binary, TimeSpan timeout) =>
        EnvoyLocalMode.Validator(FindSchemaCheck(), binary, timeout);

    public override IReloadTrigger CreateReloadTrigger(string sharedDirectory, IReadOnlyList<string>? reloadCommand) => NoReloadTrigger.Instance;

    public override IAppliedConfigProbe CreateProbe(ProxySettings settings, VersionedConfigDirectory directory) => EnvoyAdminProbe.For(settings, directory);

    public override ProcessStartInfo LocalStartInfo(string binary, string root) => EnvoyLocalMode.StartInfo(binary, Path.GetFullPath(root), "info");

    /// <summary>Nothing to send: Envoy watches the root, and the swap of <c>current</c> was the reload.</summary>
    public override bool ReloadLocal(Process running) => true;

    public override bool StopLocal(Process running) => false;
}
