namespace Portico.Core.Applying;

/// <summary>Timing of the apply cycle.</summary>
public sealed record ApplierOptions
{
    /// <summary>How long the proxy may take to serve a new configuration before it is rolled back.</summary>
    public TimeSpan ConfirmTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The proxy parses the same files again when it reloads, so it needs at least as long as the validator took,
    /// and in practice several times that (nginx at 1,000 Ingresses: reload about 3x the CPU of `nginx -t`). When a
    /// validator ran, the confirmation waits at least this many times its duration: a large or CPU-starved proxy is
    /// then not taken for a failed one, rolled back, and handed another slow reload on top of the one still running.
    /// </summary>
    public double ConfirmTimeoutPerValidation { get; init; } = 5;

    /// <summary>How often the proxy is asked for its config hash while waiting.</summary>
    public TimeSpan ConfirmPollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Reloads are at least this far apart: each nginx reload starts new workers and drains the old ones.</summary>
    public TimeSpan MinReloadInterval { get; init; } = TimeSpan.FromSeconds(1);
}
