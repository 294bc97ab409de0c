using System.Diagnostics;
using System.Globalization;
using Portico.Core.Building;
using Portico.Core.Offline;
using Portico.Core.Rendering;

namespace Portico.Bench;

/// <summary>
/// For each size: generate the cluster, time the pipeline's stages in process (best of a few runs, after a warm-up),
/// then run the real `portico render` as a child process and `nginx -t` on its output, in the same run.
/// </summary>
internal static class RenderBenchmark
{
    public static int Run(string porticoDll, int[] sizes, string workDirectory)
    {
        Directory.CreateDirectory(workDirectory);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine("| Ingresses | manifest MiB | read ms | build ms | render ms | portico render process s | peak RSS MiB | nginx -t s | ratio |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        bool allMet = true;
        foreach (int size in sizes)
        {
            string manifest = Path.Combine(workDirectory, $"cluster-{size}.yaml");
            string output = Path.Combine(workDirectory, $"out-{size}");
            SyntheticCluster.Write(manifest, size);
            var stages = Stages(manifest);

            var portico = ChildProcess.Run("dotnet", porticoDll, "render", "--manifests", manifest, "--out", output);
            double peak = ChildProcess.PeakChildMemoryMiB();
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

            double ratio = portico.Elapsed / nginx.Elapsed;
            allMet &= size < 10_000 || ratio < 0.5;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {new FileInfo(manifest).Length / 1048576.0:F1} | {stages.Read:F0} | {stages.Build:F0} | {stages.Render:F0} | {portico.Elapsed.TotalSeconds:F2} | {peak:F0} | {nginx.Elapsed.TotalSeconds:F2} | {ratio:F2} |"));
        }

        Console.WriteLine(allMet ? "target met: portico render (10k) takes less than half of nginx -t" : "TARGET MISSED: portico render (10k) takes half of nginx -t or more");
        return allMet ? 0 : 1;
    }

    /// <summary>Best of three in-process runs after one warm-up, in milliseconds.</summary>
    private static (double Read, double Build, double Render) Stages(string manifest)
    {
        var renderer = ProxyRenderers.Create("nginx");
        var options = new BuildOptions();
        var settings = new ProxySettings();
        double read = double.MaxValue, build = double.MaxValue, render = double.MaxValue;
        for (int run = 0; run < 4; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            var manifests = ManifestReader.Read([manifest]);
            var (snapshot, _) = ManifestSnapshot.Build(manifests);
            double readMs = stopwatch.Elapsed.TotalMilliseconds;
            stopwatch.Restart();
            var model = ModelBuilder.Build(snapshot, options);
            double buildMs = stopwatch.Elapsed.TotalMilliseconds;
            stopwatch.Restart();
            renderer.Render(model, settings);
            double renderMs = stopwatch.Elapsed.TotalMilliseconds;
            if (run > 0)
            {
                (read, build, render) = (Math.Min(read, readMs), Math.Min(build, buildMs), Math.Min(render, renderMs));
            }
        }

        return (read, build, render);
    }
}
