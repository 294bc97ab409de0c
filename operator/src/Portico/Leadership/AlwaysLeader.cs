namespace Portico.Leadership;

/// <summary>Leadership when election is off (leaderElection.enabled: false): one replica, which always leads.</summary>
public sealed class AlwaysLeader : ILeadership
{
    public bool IsLeader => true;

    /// <summary>One term that never ends before shutdown.</summary>
    public Task<CancellationToken> WaitForTermAsync(CancellationToken cancellationToken) => Task.FromResult(CancellationToken.None);
}
