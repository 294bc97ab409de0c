using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Portico.Core.Output;
using Portico.Core.Timing;

namespace Portico.Cli;

/// <summary>`portico render`: manifests to proxy config files in a directory.</summary>
internal static class RenderCommand
{
    private static readonly Option<string> Out = new("--out", "-o") { Description = "Directory to write the rendered files into.", Required = true };

    private static readonly Option<bool> Timings = new("--timings") { Description = "Print the wall time of each stage and the peak memory to stderr (benchmarks)." };

    public static Command Create()
    {
        var command = new Command("render", "Render manifests into proxy configuration files, offline and deterministically.");
        InputOptions.AddTo(command);
        command.Add(Out);
        command.Add(Timings);
        command.SetAction(parseResult =>
        {
            var timings = parseResult.GetValue(Timings) ? new StageTimings() : null;
            int exit = OfflineCommandRunner.Run(parseResult, Console.Error, (_, result) =>
            {
                string directory = parseResult.GetRequiredValue(Out);
                timings?.Restart();
                long start = Stopwatch.GetTimestamp();
                OutputDirectory.Write(directory, result.Config);
                timings?.Add("write", Stopwatch.GetElapsedTime(start));
                Console.WriteLine($"rendered {result.Config.AllFiles.Count()} files into {directory}: {OfflineCommandRunner.Summary(result)}");
                return OfflineCommandRunner.StrictFails(parseResult, result) ? ExitCodes.Findings : ExitCodes.Ok;
            }, timings);
            if (timings is not null)
            {
                ReportTimings(timings);
            }

            return exit;
        });
        return command;
    }

    /// <summary>One line: each stage in ms, the time since the process started, and the peak resident set.</summary>
    private static void ReportTimings(StageTimings timings)
    {
        using var self = Process.GetCurrentProcess();
        double sinceStart = (DateTime.Now - self.StartTime).TotalMilliseconds;
        double stages = timings.Stages.Sum(s => s.Elapsed.TotalMilliseconds);
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"timings: {timings} startup={sinceStart - stages:F0} process={sinceStart:F0} peak-rss-mib={self.PeakWorkingSet64 / 1048576.0:F0} cpu-ms={self.TotalProcessorTime.TotalMilliseconds:F0} jit-ms={System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} jit-methods={System.Runtime.JitInfo.GetCompiledMethodCount()} gc-pause-ms={GC.GetTotalPauseDuration().TotalMilliseconds:F0} gcs={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} allocated-mib={GC.GetTotalAllocatedBytes() / 1048576.0:F0}"));
        Console.Error.WriteLine("cpu-timings: " + timings.CpuToString());
    }
}
