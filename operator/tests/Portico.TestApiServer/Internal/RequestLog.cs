namespace Portico.TestApiServer.Internal;

/// <summary>The bounded, thread-safe log of answered requests.</summary>
internal sealed class RequestLog(int limit, Action onChanged)
{
    private readonly Lock gate = new();
    private readonly Queue<RecordedRequest> entries = new();

    public void Add(RecordedRequest request)
    {
        lock (gate)
        {
            entries.Enqueue(request);
            while (entries.Count > limit)
            {
                entries.Dequeue();
            }
        }

        onChanged();
    }

    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (gate)
        {
            return entries.ToList();
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            entries.Clear();
        }
    }
}
