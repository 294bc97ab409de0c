using Portico.Core.Rendering;

namespace Portico.Core.Applying;

/// <summary>Puts a rendered configuration into effect in the proxy. Calls never overlap (the sync pipeline is sequential).</summary>
public interface IConfigApplier
{
    Task<ApplyResult> ApplyAsync(RenderedConfig config, CancellationToken cancellationToken);

    /// <summary>
    /// While <see cref="ApplyAsync"/> is applying files (a reload in flight), a newer configuration may put its live
    /// data out at once instead of waiting for its turn; may be called from another thread.
    /// </summary>
    void PublishAhead(RenderedConfig newer)
    {
    }
}
