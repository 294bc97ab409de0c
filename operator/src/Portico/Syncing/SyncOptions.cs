namespace Portico.Syncing;

/// <summary>How bursts of changes are batched into one rebuild.</summary>
public sealed record SyncOptions
{
    /// <summary>Rebuild once no change has arrived for this long...</summary>
    public TimeSpan Holdoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>...but never later than this after the first change of the batch.</summary>
    public TimeSpan MaxHoldoff { get; init; } = TimeSpan.FromMilliseconds(500);
}
