namespace Portico.Leadership;

/// <summary>The loop every leader-only worker runs: wait for a term, work until it ends, wait for the next.</summary>
public static class LeadershipTerms
{
    /// <summary>Runs <paramref name="lead"/> during each term of leadership until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task RunEachTermAsync(this ILeadership leadership, Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        ArgumentNullException.ThrowIfNull(lead);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var term = await leadership.WaitForTermAsync(cancellationToken);
                using var during = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, term);
                await lead(during.Token);
            }
            catch (OperationCanceledException)
            {
                // The term ended (wait for the next one) or the worker stops (the loop ends).
            }
        }
    }
}
