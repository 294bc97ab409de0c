using System.Text;
using Portico.Observability;
using Prometheus;

namespace Portico.Tests.Observability;

/// <summary>/metrics' process_* and dotnet_* series come from cheap reads, with the names dashboards (and the benchmarks) use.</summary>
public sealed class ProcessMetricsTests
{
    [Test]
    public async Task The_process_and_runtime_series_are_exported_with_live_values()
    {
        var registry = Metrics.NewCustomRegistry();
        ProcessMetrics.Register(registry);
        GC.Collect(0);
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var values = Encoding.UTF8.GetString(stream.ToArray()).Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

        Assert.That(values["process_cpu_seconds_total"], Is.GreaterThan(0));
        Assert.That(values["process_working_set_bytes"], Is.GreaterThan(10 * 1024 * 1024), "VmRSS of a .NET process");
        Assert.That(values["process_virtual_memory_bytes"], Is.GreaterThan(values["process_working_set_bytes"]));
        Assert.That(values["process_num_threads"], Is.GreaterThanOrEqualTo(2));
        Assert.That(values["dotnet_total_memory_bytes"], Is.GreaterThan(0));
        Assert.That(values["dotnet_collection_count_total{generation=\"0\"}"], Is.GreaterThanOrEqualTo(1));
        Assert.That(values["process_start_time_seconds"], Is.EqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Within(7 * 24 * 3600));
    }

    [Test]
    public void The_status_file_gives_resident_and_virtual_memory_and_threads()
    {
        var status = ProcessMetrics.ReadStatus();
        Assert.That(status, Is.Not.Null);
        Assert.That(status!.Value.ResidentBytes, Is.EqualTo(Environment.WorkingSet).Within(64 * 1024 * 1024));
        Assert.That(status.Value.Threads, Is.EqualTo(System.Diagnostics.Process.GetCurrentProcess().Threads.Count).Within(8));
    }
}
