namespace Portico.Syncing;

/// <summary>Retries of an apply that failed for reasons other than an invalid configuration.</summary>
public sealed record ConfigPipelineOptions
{
    public int MaxApplyAttempts { get; init; } = 5;

    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}
