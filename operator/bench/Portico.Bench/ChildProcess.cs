using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Portico.Bench;

/// <summary>Runs a child process to completion and measures its wall time; peak memory from getrusage(RUSAGE_CHILDREN).</summary>
internal static partial class ChildProcess
{
    public sealed record Result(int ExitCode, TimeSpan Elapsed, string Output);

    public static Result Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
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

    /// <summary>The largest resident set of any child waited for so far, in MiB (Linux reports KiB).</summary>
    public static double PeakChildMemoryMiB()
    {
        var usage = new RUsage();
        return GetRUsage(-1, ref usage) == 0 ? usage.MaxRss / 1024.0 : double.NaN;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, ref RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRss;
        public long IxRss;
        public long IdRss;
        public long IsRss;
        public long MinFlt;
        public long MajFlt;
        public long NSwap;
        public long InBlock;
        public long OuBlock;
        public long MsgSnd;
        public long MsgRcv;
        public long NSignals;
        public long NVcsw;
        public long NIvcsw;
    }
}
