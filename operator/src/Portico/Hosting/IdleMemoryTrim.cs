using Portico.Core.Model;
using Portico.Syncing;

namespace Portico.Hosting;

/// <summary>
/// Gives memory back to the system once the operator has been quiet for a while. Each batch builds a new world and
/// the garbage collector keeps the memory that took committed, so after the initial sync or a burst of changes the
/// process would stay at its peak for good (a few hundred MiB at 10,000 Ingresses). When no model has been built for
/// <see cref="Quiet"/>, and the committed heap has grown well past what the last trim left, one aggressive,
/// compacting collection decommits the rest. A burst of changes never waits for it; a change arriving during it
/// waits for one collection (tens to a few hundred milliseconds).
/// </summary>
public sealed class IdleMemoryTrim : IModelListener, IDisposable
{
    // Longer than a reload in flight (nginx -t and the reload take 5-10 s at 10,000 hosts), so the collection, which
    // suspends the process, does not fall into one and delay the changes queued behind it.
    public static readonly TimeSpan DefaultQuiet = TimeSpan.FromSeconds(15);

    // Growth tolerated before trimming again: a quarter of what was kept, and at least this much.
    private const long Slack = 16L * 1024 * 1024;

    private readonly ITimer _timer;
    private readonly Func<long> _committed;
    private readonly Action _collect;
    private long _keptAfterTrim;

    public IdleMemoryTrim(TimeProvider time, TimeSpan? quiet = null, Func<long>? committed = null, Action? collect = null)
    {
        Quiet = quiet ?? DefaultQuiet;
        _committed = committed ?? (() => GC.GetGCMemoryInfo().TotalCommittedBytes);
        _collect = collect ?? (() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true));
        _timer = time.CreateTimer(_ => TrimIfGrown(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public TimeSpan Quiet { get; }

    /// <summary>How many times memory was given back (for tests and logs).</summary>
    public int Trims { get; private set; }

    public void OnModel(ProxyModel model) => _timer.Change(Quiet, Timeout.InfiniteTimeSpan);

    private void TrimIfGrown()
    {
        long kept = Interlocked.Read(ref _keptAfterTrim);
        if (_committed() <= kept + Math.Max(Slack, kept / 4))
        {
            return;
        }

        _collect();
        Interlocked.Exchange(ref _keptAfterTrim, _committed());
        Trims++;
    }

    public void Dispose() => _timer.Dispose();
}
