namespace Portico.Core.Applying;

/// <summary>Timing of the apply cycle.</summary>
public sealed record ApplierOptions
{
    /// <summary>How long the proxy may take to serve a new configuration before it is rolled back.</summary>
    public TimeSpan ConfirmTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the proxy is asked for its config hash while waiting.</summary>
    public TimeSpan ConfirmPollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Reloads are at least this far apart: each nginx reload starts new workers and drains the old ones.</summary>
    public TimeSpan MinReloadInterval { get; init; } = TimeSpan.FromSeconds(1);
}
