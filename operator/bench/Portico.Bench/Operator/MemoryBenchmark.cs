using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Portico.Bench.Operator;

/// <summary>
/// The operator's memory with N Ingresses synced and applied: the `portico run` child process's resident set
/// (VmRSS) and peak (VmHWM) from /proc, and its managed heap (dotnet_total_memory_bytes on /metrics, i.e.
/// GC.GetTotalMemory(false)), once ready and settled, and again after a few more changes (each a whole-world
/// rebuild, so the peak covers two worlds alive at once). The same changes give the change-to-routed latency at
/// that size.
/// </summary>
internal static class MemoryBenchmark
{
    public static async Task<int> RunAsync(RigSettings settings, int[] sizes, TimeSpan settle, int changes)
    {
        Console.WriteLine($"machine: {Machine.Describe()}");
        Console.WriteLine($"settings: {settings.Describe()}; settle {settle.TotalSeconds:F0} s before each sample; {changes} changes after the first sample");
        var table = new StringBuilder();
        table.AppendLine("| Ingresses | objects in store | ready after start s | RSS ready MiB | managed heap ready MiB | RSS after changes MiB | managed heap after MiB | peak RSS MiB | GCs (gen0/1/2) | change → routed median / max ms | nginx PSS MiB | load average (start → end) |");
        table.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|");
        foreach (int size in sizes)
        {
            string loadBefore = Machine.LoadAverage();
            await using var rig = await OperatorRig.StartAsync(settings, $"memory-{size}", size, (api, backends) => api.Upsert(BenchWorld.ProbeIngress("mem", "mem.bench", backends[0])));
            Console.Error.WriteLine($"[memory-{size}] ready {rig.StartToReady.TotalSeconds:F1} s after start ({Machine.Stamp()})");
            await Task.Delay(settle);
            var ready = OperatorRig.Memory(rig.OperatorPid);
            var first = await rig.ScrapeAsync();

            var latencies = new List<double>();
            for (int k = 1; k <= changes; k++)
            {
                var backend = rig.Backends[k % rig.Backends.Count];
                long started = Stopwatch.GetTimestamp();
                rig.Cluster.Upsert(BenchWorld.ProbeIngress("mem", "mem.bench", backend));
                var took = await rig.WaitRoutedAsync("mem.bench", "/", backend.Name, TimeSpan.FromMinutes(2), started, pollMs: 20);
                latencies.Add(took?.TotalMilliseconds ?? double.NaN);
                await Task.Delay(TimeSpan.FromSeconds(2));
            }

            await Task.Delay(settle);
            var later = OperatorRig.Memory(rig.OperatorPid);
            var second = await rig.ScrapeAsync();
            double nginx = rig.NginxPssMiB();
            string loadAfter = Machine.LoadAverage();
            latencies.Sort();
            string gcs = string.Join("/", Enumerable.Range(0, 3).Select(g => second.Sum("dotnet_collection_count_total", $"generation=\"{g}\"").ToString("F0", CultureInfo.InvariantCulture)));
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {second.Sum("portico_objects"):N0} | {rig.StartToReady.TotalSeconds:F1} | {ready.Rss:F0} | {Heap(first)} | {later.Rss:F0} | {Heap(second)} | {later.Peak:F0} | {gcs} " +
                $"| {Machine.Ms(latencies.Count == 0 ? double.NaN : latencies[latencies.Count / 2])} / {Machine.Ms(latencies.Count == 0 ? double.NaN : latencies[^1])} | {nginx:F0} | {loadBefore} → {loadAfter} |"));
            Console.Error.WriteLine($"[memory-{size}] RSS {ready.Rss:F0} -> {later.Rss:F0} MiB, peak {later.Peak:F0} MiB ({Machine.Stamp()})");
        }

        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine();
        Console.WriteLine("RSS: VmRSS of the portico process; peak: its VmHWM over the whole run; managed heap: dotnet_total_memory_bytes (GC.GetTotalMemory(false)) from its /metrics; nginx PSS: master + workers, shared pages counted once.");
        return 0;
    }

    private static string Heap(PrometheusText metrics) =>
        metrics.Has("dotnet_total_memory_bytes") ? (metrics.Sum("dotnet_total_memory_bytes") / 1048576).ToString("F0", CultureInfo.InvariantCulture) : "–";
}
