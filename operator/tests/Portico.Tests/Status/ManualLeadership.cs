using Portico.Leadership;

namespace Portico.Tests.Status;

/// <summary>Leadership a test hands out and takes back: <see cref="Lead"/> starts a term, <see cref="StepDown"/> ends it.</summary>
public sealed class ManualLeadership : ILeadership, IDisposable
{
    private readonly Lock gate = new();
    private TaskCompletionSource<CancellationToken> nextTerm = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? term;

    public bool IsLeader
    {
        get
        {
            lock (gate)
            {
                return term is not null;
            }
        }
    }

    public Task<CancellationToken> WaitForTermAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return nextTerm.Task.WaitAsync(cancellationToken);
        }
    }

    public void Lead()
    {
        lock (gate)
        {
            term ??= new CancellationTokenSource();
            nextTerm.TrySetResult(term.Token);
        }
    }

    public void StepDown()
    {
        lock (gate)
        {
            term?.Cancel();
            term = null;
            nextTerm = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            term?.Dispose();
        }
    }
}
