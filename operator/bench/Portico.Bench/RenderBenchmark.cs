using System.Diagnostics;
using System.Globalization;
using Portico.Core.Building;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Core.Timing;

namespace Portico.Bench;

/// <summary>
/// For each size: generate the cluster; time the pipeline's stages in process, warm (best of three after a warm-up);
/// then, several times, run the real `portico render --timings` as a child process (cold: a new process each time,
/// as a user or CI runs it) and `nginx -t` on its output right after it, in the same run. Reports medians.
/// </summary>
internal static class RenderBenchmark
{
    private static readonly string[] StageNames = ["startup", "setup", "read", "parse", "snapshot", "build", "render", "write"];
    private static readonly string[] WarmStageNames = ["read", "parse", "snapshot", "build", "render"];

    public static int Run(string porticoDll, IReadOnlyDictionary<string, string> environment, int[] sizes, string workDirectory, int runs, bool policies = false)
    {
        Directory.CreateDirectory(workDirectory);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average {LoadAverage()}");
        string prefix = string.Concat(environment.Select(e => $"{e.Key}={e.Value} "));
        Console.WriteLine($"portico: {prefix}dotnet {porticoDll} render --timings; {runs} cold runs per size, medians; stage times are the child's own (ms){(policies ? "; an IngressPolicy on every 10th Ingress" : string.Empty)}");
        Console.WriteLine();
        Console.WriteLine("| Ingresses | manifest MiB | " + string.Join(" | ", StageNames.Select(s => s + " ms")) + " | portico render process s | process CPU s | peak RSS MiB | nginx -t s | ratio | target (< 0.5) |");
        Console.WriteLine("|---:|---:|" + string.Concat(StageNames.Select(_ => "---:|")) + "---:|---:|---:|---:|---:|:---|");
        var warmLines = new List<string>();
        bool allMet = true;
        foreach (int size in sizes)
        {
            string manifest = Path.Combine(workDirectory, $"cluster-{size}.yaml");
            string output = Path.Combine(workDirectory, $"out-{size}");
            SyntheticCluster.Write(manifest, size, policies);
            var warm = WarmStages(manifest);
            warmLines.Add($"| {size:N0} | " + string.Join(" | ", WarmStageNames.Select(s => warm.GetValueOrDefault(s).ToString("F0", CultureInfo.InvariantCulture))) + " |");

            var samples = new List<Sample>();
            for (int run = 0; run < runs; run++)
            {
                if (Directory.Exists(output))
                {
                    Directory.Delete(output, recursive: true);
                }

                string load = LoadAverage();
                var portico = ChildProcess.Run("dotnet", environment, porticoDll, "render", "--manifests", manifest, "--out", output, "--timings");
                if (portico.ExitCode != 0)
                {
                    Console.Error.WriteLine(portico.Output);
                    return 2;
                }

                var nginx = ChildProcess.Run("nginx", "-t", "-q", "-p", output, "-c", "nginx.conf", "-e", "stderr");
                if (nginx.ExitCode != 0 || nginx.Output.Contains("[warn]", StringComparison.Ordinal))
                {
                    Console.Error.WriteLine(nginx.Output);
                    return 2;
                }

                var timings = ParseTimings(portico.Output);
                samples.Add(new Sample(portico.Elapsed.TotalSeconds, nginx.Elapsed.TotalSeconds, timings));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {size}: run {run + 1}: load {load}; portico {portico.Elapsed.TotalSeconds:F2} s, nginx -t {nginx.Elapsed.TotalSeconds:F2} s, ratio {portico.Elapsed / nginx.Elapsed:F2}; {string.Join(' ', timings.Select(t => $"{t.Key}={t.Value:F0}"))}"));
            }

            double porticoSeconds = Median(samples.Select(s => s.Portico));
            double nginxSeconds = Median(samples.Select(s => s.Nginx));
            double ratio = porticoSeconds / nginxSeconds;
            bool met = ratio < 0.5;
            allMet &= size < 10_000 || met;
            string stages = string.Join(" | ", StageNames.Select(name => Median(samples.Select(s => s.Stages.GetValueOrDefault(name))).ToString("F0", CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {new FileInfo(manifest).Length / 1048576.0:F1} | {stages} | {porticoSeconds:F2} | {Median(samples.Select(s => s.Stages.GetValueOrDefault("cpu-ms"))) / 1000:F2} | {Median(samples.Select(s => s.Stages.GetValueOrDefault("peak-rss-mib"))):F0} | {nginxSeconds:F2} | {ratio:F2} | {(met ? "met" : "not met")} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Warm, in the benchmark's own process (best of three after a warm-up), ms:");
        Console.WriteLine();
        Console.WriteLine("| Ingresses | read | parse | snapshot | build | render |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        warmLines.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        Console.WriteLine(allMet ? "target met: portico render (10k) takes less than half of nginx -t" : "TARGET MISSED: portico render (10k) takes half of nginx -t or more");
        return allMet ? 0 : 1;
    }

    private sealed record Sample(double Portico, double Nginx, Dictionary<string, double> Stages);

    /// <summary>The numbers of the child's "timings: name=value ..." line.</summary>
    private static Dictionary<string, double> ParseTimings(string output)
    {
        string line = output.Split('\n').LastOrDefault(l => l.StartsWith("timings: ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("portico printed no timings line:\n" + output);
        return line["timings: ".Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .Where(pair => pair.Length == 2 && double.TryParse(pair[1], CultureInfo.InvariantCulture, out _))
            .ToDictionary(pair => pair[0], pair => double.Parse(pair[1], CultureInfo.InvariantCulture));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>Best of three in-process runs after one warm-up, in milliseconds, by stage.</summary>
    private static Dictionary<string, double> WarmStages(string manifest)
    {
        var renderer = ProxyKind.Nginx.CreateRenderer();
        var options = new BuildOptions();
        var settings = new ProxySettings();
        var best = new Dictionary<string, double>();
        for (int run = 0; run < 4; run++)
        {
            var timings = new StageTimings();
            OfflinePipeline.Render([manifest], options, settings, renderer, timings);
            if (run > 0)
            {
                foreach (var (stage, elapsed) in timings.Stages)
                {
                    best[stage] = Math.Min(best.GetValueOrDefault(stage, double.MaxValue), elapsed.TotalMilliseconds);
                }
            }
        }

        return best;
    }
}
