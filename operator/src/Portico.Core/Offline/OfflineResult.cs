using System.Collections.Immutable;
using Portico.Core.Model;
using Portico.Core.Rendering;

namespace Portico.Core.Offline;

/// <summary>The result of rendering manifests offline: the model, the files, and every diagnostic (reading and building).</summary>
public sealed record OfflineResult(ProxyModel Model, RenderedConfig Config, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}
