namespace Portico.Core.Applying;

/// <summary>Asks the running proxy which configuration it serves (nginx: its loopback status endpoint; Envoy: the admin API).</summary>
public interface IAppliedConfigProbe
{
    /// <summary>The config hash the proxy serves now, or null when it does not answer.</summary>
    Task<string?> ReadAppliedHashAsync(CancellationToken cancellationToken);

    /// <summary>The hash of the live data (<see cref="Rendering.RenderedConfig.LiveHash"/>) the proxy has loaded, or null.</summary>
    Task<string?> ReadLiveHashAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
