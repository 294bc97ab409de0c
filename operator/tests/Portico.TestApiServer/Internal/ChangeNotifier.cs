namespace Portico.TestApiServer.Internal;

/// <summary>
/// Wakes test-side waits whenever anything observable changes (a write, a request, a watch opening or closing):
/// each change completes the current task and starts a new one, so a waiter re-checks its condition only when
/// there is something new — no polling, no sleeps.
/// </summary>
internal sealed class ChangeNotifier
{
    private TaskCompletionSource next = NewSource();

    /// <summary>Completes at the next change after this call.</summary>
    public Task NextChange => Volatile.Read(ref next).Task;

    public void Notify() => Interlocked.Exchange(ref next, NewSource()).TrySetResult();

    // Continuations run asynchronously: a waiter must never run inside the store's lock.
    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
