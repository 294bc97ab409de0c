using Portico.Core.Rendering;

namespace Portico.Core.Applying;

/// <summary>Puts a rendered configuration into effect in the proxy. Calls never overlap (the sync pipeline is sequential).</summary>
public interface IConfigApplier
{
    Task<ApplyResult> ApplyAsync(RenderedConfig config, CancellationToken cancellationToken);
}
