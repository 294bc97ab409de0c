namespace Portico.Core.Applying;

/// <summary>Tells the running proxy to load its configuration again.</summary>
public interface IReloadTrigger
{
    /// <summary>
    /// Asks for a reload. Returns false when no proxy is running to ask (it will read the new configuration when it
    /// starts); throws <see cref="ReloadException"/> when asking failed.
    /// </summary>
    Task<bool> TriggerAsync(CancellationToken cancellationToken);
}
