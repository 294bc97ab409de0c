namespace Portico.Leadership;

/// <summary>
/// Whether this replica leads. Only the leader writes Ingress status and Events; every replica renders for its own
/// proxy. Two implementations: a Lease election (<see cref="LeaseLeadership"/>) and <see cref="AlwaysLeader"/>.
/// </summary>
public interface ILeadership
{
    bool IsLeader { get; }

    /// <summary>
    /// Completes when this replica leads, with a token that is cancelled when that term ends (lease lost or shutdown).
    /// Work done for the leader runs under that token, so it stops the moment leadership does.
    /// </summary>
    Task<CancellationToken> WaitForTermAsync(CancellationToken cancellationToken);
}
