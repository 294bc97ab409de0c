namespace Portico.Syncing;

/// <summary>Retries of an apply that failed for reasons other than an invalid configuration, and look-ahead while one runs.</summary>
public sealed record ConfigPipelineOptions
{
    public int MaxApplyAttempts { get; init; } = 5;

    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running apply checks for a newer snapshot after the one waiting has been looked at.</summary>
    public TimeSpan LookAheadInterval { get; init; } = TimeSpan.FromMilliseconds(20);
}
