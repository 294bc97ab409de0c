using System.Diagnostics;
using System.Globalization;

namespace Portico.Core.Offline;

/// <summary>
/// Wall time of each stage of an offline run, in the order the stages ran (`portico render --timings`, the benchmark).
/// Not thread-safe: stages are timed from the one thread that runs the pipeline.
/// </summary>
public sealed class StageTimings
{
    private readonly List<(string Stage, TimeSpan Elapsed)> _stages = [];

    public IReadOnlyList<(string Stage, TimeSpan Elapsed)> Stages => _stages;

    public void Add(string stage, TimeSpan elapsed) => _stages.Add((stage, elapsed));

    public T Time<T>(string stage, Func<T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        long start = Stopwatch.GetTimestamp();
        var result = run();
        Add(stage, Stopwatch.GetElapsedTime(start));
        return result;
    }

    public void Time(string stage, Action run)
    {
        ArgumentNullException.ThrowIfNull(run);
        long start = Stopwatch.GetTimestamp();
        run();
        Add(stage, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>"read=12 parse=345 ..." in milliseconds.</summary>
    public override string ToString() =>
        string.Join(' ', _stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Stage}={s.Elapsed.TotalMilliseconds:F0}")));
}
