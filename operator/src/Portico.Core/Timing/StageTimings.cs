using System.Diagnostics;
using System.Globalization;

namespace Portico.Core.Timing;

/// <summary>
/// Wall time of each stage of an offline run, in the order the stages ran (`portico render --timings`, the benchmark).
/// Not thread-safe: stages are timed from the one thread that runs the pipeline.
/// </summary>
public sealed class StageTimings
{
    private readonly List<(string Stage, TimeSpan Elapsed)> _stages = [];
    private readonly List<(string Stage, TimeSpan Cpu)> _cpu = [];
    private TimeSpan _lastCpu = ProcessCpu();

    public IReadOnlyList<(string Stage, TimeSpan Elapsed)> Stages => _stages;

    /// <summary>CPU time of the whole process (all threads) during each stage: steadier than wall time on a busy machine.</summary>
    public IReadOnlyList<(string Stage, TimeSpan Cpu)> CpuTimes => _cpu;

    public void Add(string stage, TimeSpan elapsed)
    {
        _stages.Add((stage, elapsed));
        var cpu = ProcessCpu();
        _cpu.Add((stage, cpu - _lastCpu));
        _lastCpu = cpu;
    }

    /// <summary>Starts the CPU clock of the next stage here (for a stage that does not start where the last one ended).</summary>
    public void Restart() => _lastCpu = ProcessCpu();

    public T Time<T>(string stage, Func<T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Restart();
        long start = Stopwatch.GetTimestamp();
        var result = run();
        Add(stage, Stopwatch.GetElapsedTime(start));
        return result;
    }

    public void Time(string stage, Action run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Restart();
        long start = Stopwatch.GetTimestamp();
        run();
        Add(stage, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>"read=12 parse=345 ..." in milliseconds.</summary>
    public override string ToString() => Format(_stages);

    /// <summary>As <see cref="ToString"/>, for CPU time.</summary>
    public string CpuToString() => Format(_cpu);

    private static string Format(List<(string Stage, TimeSpan Time)> times) =>
        string.Join(' ', times.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Stage}={s.Time.TotalMilliseconds:F0}")));

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
