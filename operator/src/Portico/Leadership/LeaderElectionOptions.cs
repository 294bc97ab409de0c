namespace Portico.Leadership;

/// <summary>The Lease that elects the one replica writing status and Events, and its timing (client-go's defaults).</summary>
public sealed record LeaderElectionOptions
{
    public static LeaderElectionOptions Default { get; } = new();

    public bool Enabled { get; init; } = true;

    public string LeaseName { get; init; } = "portico-leader";

    /// <summary>null: the namespace Portico runs in.</summary>
    public string? LeaseNamespace { get; init; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}
