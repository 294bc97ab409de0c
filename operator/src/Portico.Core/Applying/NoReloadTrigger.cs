namespace Portico.Core.Applying;

/// <summary>
/// For a proxy that reloads by itself when the link <c>current</c> is swapped: Envoy watches the shared root
/// (<c>watched_directory</c>) and reads its files again when an entry is moved into it, so there is nothing to send.
/// The applier still confirms through the proxy (for Envoy: <see cref="Envoy.EnvoyAdminProbe"/>).
/// </summary>
public sealed class NoReloadTrigger : IReloadTrigger
{
    public static NoReloadTrigger Instance { get; } = new();

    private NoReloadTrigger()
    {
    }

    /// <summary>Always true: the swap the applier just made is the reload.</summary>
    public Task<bool> TriggerAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}
