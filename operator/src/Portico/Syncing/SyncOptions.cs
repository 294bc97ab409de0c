namespace Portico.Syncing;

/// <summary>How bursts of changes are batched into one rebuild.</summary>
public sealed record SyncOptions
{
    /// <summary>Rebuild once no change has arrived for this long...</summary>
    public TimeSpan Holdoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>...or this long, when every change of the batch is an EndpointSlice change (applied live, ADR 0010)...</summary>
    public TimeSpan EndpointHoldoff { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>...but never later than this after the first change of the batch.</summary>
    public TimeSpan MaxHoldoff { get; init; } = TimeSpan.FromMilliseconds(500);
}
