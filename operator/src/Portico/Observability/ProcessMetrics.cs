using Prometheus;

namespace Portico.Observability;

/// <summary>
/// The process_* and dotnet_* series of /metrics (CPU, memory, threads, the managed heap, GC counts), read cheaply
/// at each scrape: getrusage, one small /proc file and the GC's own counters. prometheus-net's DotNetStats also
/// counts open handles by listing /proc/self/fd and reads every thread's stat file: 15% of the operator's CPU at an
/// endpoint change when scraped every 50 ms (docs/benchmarks.md, issue 13 step 5). Same names as DotNetStats, without
/// process_open_handles and process_private_memory_bytes.
/// </summary>
public static class ProcessMetrics
{
    private const string StatusFile = "/proc/self/status";

    public static void Register(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        var cpu = factory.CreateCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
        var start = factory.CreateGauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.");
        var resident = factory.CreateGauge("process_working_set_bytes", "Process working set (resident memory, VmRSS)");
        var virtualMemory = factory.CreateGauge("process_virtual_memory_bytes", "Virtual memory size in bytes (VmSize).");
        var threads = factory.CreateGauge("process_num_threads", "Total number of threads");
        var heap = factory.CreateGauge("dotnet_total_memory_bytes", "Total known allocated memory");
        var collections = factory.CreateCounter("dotnet_collection_count_total", "GC collection count", "generation");
        start.Set(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime().Subtract(DateTime.UnixEpoch).TotalSeconds);
        registry.AddBeforeCollectCallback(() =>
        {
            cpu.IncTo(Environment.CpuUsage.TotalTime.TotalSeconds);
            heap.Set(GC.GetTotalMemory(forceFullCollection: false));
            for (int generation = 0; generation <= GC.MaxGeneration; generation++)
            {
                collections.WithLabels(generation.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(GC.CollectionCount(generation));
            }

            if (ReadStatus() is { } status)
            {
                resident.Set(status.ResidentBytes);
                virtualMemory.Set(status.VirtualBytes);
                threads.Set(status.Threads);
            }
        });
    }

    /// <summary>VmRSS, VmSize and Threads from /proc/self/status; null where there is no such file (not Linux).</summary>
    internal static (long ResidentBytes, long VirtualBytes, int Threads)? ReadStatus()
    {
        string text;
        try
        {
            text = File.ReadAllText(StatusFile);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        long resident = 0, size = 0;
        int threads = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("VmRSS:"))
            {
                resident = Kibibytes(line["VmRSS:".Length..]);
            }
            else if (line.StartsWith("VmSize:"))
            {
                size = Kibibytes(line["VmSize:".Length..]);
            }
            else if (line.StartsWith("Threads:"))
            {
                _ = int.TryParse(line["Threads:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture, out threads);
            }
        }

        return (resident, size, threads);
    }

    // "   123456 kB"
    private static long Kibibytes(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        int space = value.IndexOf(' ');
        return long.TryParse(space < 0 ? value : value[..space], System.Globalization.CultureInfo.InvariantCulture, out long kib) ? kib * 1024 : 0;
    }
}
