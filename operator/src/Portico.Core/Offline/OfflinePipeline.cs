using Portico.Core.Building;
using Portico.Core.Manifests;
using Portico.Core.Rendering;
using Portico.Core.Timing;

namespace Portico.Core.Offline;

/// <summary>
/// manifests -> snapshot -> model -> files: the same builder and renderer the operator uses, with files as the
/// source. `portico render`, `portico diff`, `portico validate` and the golden tests all run through here.
/// </summary>
public static class OfflinePipeline
{
    public static OfflineResult Render(IEnumerable<string> manifestPaths, BuildOptions options, ProxySettings settings, IProxyRenderer renderer, StageTimings? timings = null) =>
        Render(ManifestReader.Read(manifestPaths, timings), options, settings, renderer, timings);

    public static OfflineResult Render(ManifestSet manifests, BuildOptions options, ProxySettings settings, IProxyRenderer renderer, StageTimings? timings = null)
    {
        ArgumentNullException.ThrowIfNull(renderer);
        timings ??= new StageTimings();
        var (snapshot, readDiagnostics) = timings.Time("snapshot", () => ManifestSnapshot.Build(manifests));
        var model = timings.Time("build", () => ModelBuilder.Build(snapshot, options).WithLimitationsOf(renderer));
        var config = timings.Time("render", () => renderer.Render(model, settings));
        return new OfflineResult(model, config, [.. readDiagnostics.Concat(model.Diagnostics).Order()]);
    }
}
