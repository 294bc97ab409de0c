namespace Portico.Status;

/// <summary>
/// Counts the times a background worker finished its work and armed its next wake-up. Tests wait on it (bounded)
/// instead of sleeping: "the worker has handled what it was given and is waiting" is then an observable fact.
/// </summary>
internal sealed class IdleSignal
{
    private readonly Lock _gate = new();
    private readonly List<(long Count, TaskCompletionSource Done)> _waiters = [];
    private long _count;

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public void Increment()
    {
        List<TaskCompletionSource> reached = [];
        lock (_gate)
        {
            _count++;
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= _count)
                {
                    reached.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var done in reached)
        {
            done.TrySetResult();
        }
    }

    /// <summary>Completes once the count reaches <paramref name="count"/>; throws TimeoutException after <paramref name="timeout"/>.</summary>
    public Task WaitForAsync(long count, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(timeout, TimeProvider.System);
        }
    }

    /// <summary>
    /// Completes once <paramref name="condition"/> holds, checking it now and after every idle point (work the worker
    /// does, such as counting a metric, happens before it goes idle); throws TimeoutException after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            // Read the count before the condition: an idle point between the two then ends the wait below at once.
            long seen = Count;
            if (condition())
            {
                return;
            }

            var remaining = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"The condition did not hold within {timeout}.");
            }

            await WaitForAsync(seen + 1, remaining);
        }
    }
}
