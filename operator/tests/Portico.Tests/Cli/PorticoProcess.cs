using System.Diagnostics;
using Portico.TestSupport;

namespace Portico.Tests.Cli;

/// <summary>Runs the real `portico` executable as a child process, bounded to 60 s, and returns its exit code and both streams.</summary>
internal static class PorticoProcess
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Run(null, [], args);

    public static (int ExitCode, string Stdout, string Stderr) Run(string? workingDirectory, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(PorticoExecutable.Dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("portico did not finish within 60 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
