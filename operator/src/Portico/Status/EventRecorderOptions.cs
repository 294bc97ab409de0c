namespace Portico.Status;

/// <summary>How many Events the recorder may write, and how often it repeats one for a diagnostic that persists.</summary>
public sealed record EventRecorderOptions
{
    /// <summary>Events written at once before the rate applies (client-go's event spam filter allows 25 too).</summary>
    public int Burst { get; init; } = 25;

    /// <summary>Events written per second on average after the burst.</summary>
    public double PerSecond { get; init; } = 1;

    /// <summary>
    /// A diagnostic that persists bumps its Event (count, lastTimestamp) this often, so it stays visible: the API
    /// server deletes Events an hour (its default --event-ttl) after their last write.
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A diagnostic whose Event was dropped by the rate limit, or failed, is tried again after this.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>This replica's identity, as the Events' reportingInstance.</summary>
    public string ReportingInstance { get; init; } = string.Empty;
}
