using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portico.Core.Applying;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Tests.Cli;

/// <summary>
/// `portico run` writes its log lines as JSON or as plain lines, as run:logFormat says, from the environment
/// (PORTICO_RUN__LOGFORMAT) or the flag (--log-format, which wins). The tests' stdout is a pipe, not a terminal, so
/// the default is JSON here. The real executable runs in local mode with /bin/false as its nginx: `nginx -t` refuses
/// every configuration, so no proxy starts, and the host's own start line is enough to read.
/// </summary>
public sealed class RunLogFormatTests
{
    private static readonly Regex PlainLine = new(@"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): [\w.]+\[\d+\] ", RegexOptions.CultureInvariant);

    [TestCase(null, null, "json", TestName = "Without a setting, log lines on a pipe are JSON")]
    [TestCase("plain", null, "plain", TestName = "PORTICO_RUN__LOGFORMAT=plain gives plain lines")]
    [TestCase(null, "plain", "plain", TestName = "--log-format plain gives plain lines")]
    [TestCase("plain", "json", "json", TestName = "--log-format json wins over PORTICO_RUN__LOGFORMAT=plain")]
    public async Task Log_lines_are_written_in_the_format_chosen(string? environment, string? flag, string expected)
    {
        var lines = await RunUntilStartedAsync(environment, flag);
        string started = lines.Single(line => line.Contains("Application started", StringComparison.Ordinal));
        if (expected == "json")
        {
            foreach (string line in lines)
            {
                using var json = JsonDocument.Parse(line);
                Assert.That(json.RootElement.TryGetProperty("Category", out _) && json.RootElement.TryGetProperty("LogLevel", out _), Is.True, line);
            }

            using var startedJson = JsonDocument.Parse(started);
            Assert.That(startedJson.RootElement.GetProperty("Category").GetString(), Is.EqualTo("Microsoft.Hosting.Lifetime"));
        }
        else
        {
            Assert.That(lines.Where(line => !PlainLine.IsMatch(line)), Is.Empty, "every line is plain: TIME LEVEL: CATEGORY[EVENT] MESSAGE");
            Assert.That(started, Does.Contain("info: Microsoft.Hosting.Lifetime[0] Application started"));
        }
    }

    /// <summary>Runs `portico run` until it logs that it started (bounded), stops it with SIGTERM; returns its stdout lines.</summary>
    private static async Task<List<string>> RunUntilStartedAsync(string? environment, string? flag)
    {
        string directory = Directory.CreateTempSubdirectory("portico-logformat-").FullName;
        string manifests = Directory.CreateDirectory(Path.Combine(directory, "manifests")).FullName;
        int[] ports = FreePorts.Take(4);
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("PORTICO_RUN__LOGFORMAT");
        if (environment is not null)
        {
            start.Environment["PORTICO_RUN__LOGFORMAT"] = environment;
        }

        string[] arguments =
        [
            PorticoExecutable.Dll, "run", "--manifests", manifests, "--nginx", "/bin/false", "--shared-dir", Path.Combine(directory, "shared"),
            "--listen-http", Address(ports[0]), "--listen-https", Address(ports[1]), "--status-listen", Address(ports[2]), "--health-listen", Address(ports[3]),
        ];
        foreach (string argument in flag is null ? arguments : [.. arguments, "--log-format", flag])
        {
            start.ArgumentList.Add(argument);
        }

        var lines = new List<string>();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (line.Contains("Application started", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            PosixSignals.TrySend(process.Id, 15, out _);
            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(directory, recursive: true);
        }

        Assert.That(lines, Has.Some.Contains("Application started"), $"stdout:\n{string.Join('\n', lines)}\nstderr:\n{await stderr}");
        return lines;
    }

    private static string Address(int port) => "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
}
