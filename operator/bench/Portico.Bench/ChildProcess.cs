using System.Diagnostics;

namespace Portico.Bench;

/// <summary>Runs a child process to completion and measures its wall time.</summary>
internal static class ChildProcess
{
    public sealed record Result(int ExitCode, TimeSpan Elapsed, string Output);

    public static Result Run(string file, params string[] args) => Run(file, new Dictionary<string, string>(), args);

    public static Result Run(string file, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        stopwatch.Stop();
        return new Result(process.ExitCode, stopwatch.Elapsed, stdout.Result + stderr.Result);
    }
}
