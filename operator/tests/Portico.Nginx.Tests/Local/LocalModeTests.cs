using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Portico.Core.Applying;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests.Local;

/// <summary>
/// The README's main job, as a newcomer runs it: `portico run --manifests manifests/local --allow-loopback-endpoints
/// --demo-backends` starts nginx itself and serves the demo; editing a manifest changes routing while it runs; the
/// process stops nginx when it stops. Runs the real executable on a copy of the demo, on free ports.
/// </summary>
[TestFixture]
public sealed class LocalModeTests
{
    [Test]
    public async Task The_demo_is_served_and_a_manifest_edit_is_applied_live()
    {
        string directory = NginxProcess.CreateTemporaryDirectory();
        var (portico, ports, text, demo, _, api) = await StartDemoAsync(directory);
        using var started = portico;
        try
        {
            Assert.That(api.Body, Does.StartWith("default_api_8080 ").And.Contain("GET /api/hello"), api.ToString());
            var web = await GetAsync(ports[0], "/");
            Assert.That(web.Body, Does.StartWith("default_web_80 "), web.ToString());

            // Rename the path while it runs: /v2 goes to the api backend, /api falls through to web.
            File.WriteAllText(demo, text.Replace("path: /api", "path: /v2", StringComparison.Ordinal));
            var moved = await Eventually.ValueAsync(() => GetAsync(ports[0], "/v2/x"), r => r.Body.StartsWith("default_api_8080 ", StringComparison.Ordinal));
            Assert.That(moved.Body, Does.StartWith("default_api_8080 "), moved.ToString());
            // Each nginx worker reads the live file on its own (every 50 ms): the other one may still be a poll behind.
            var fellThrough = await Eventually.ValueAsync(() => GetAsync(ports[0], "/api/hello"), r => r.Body.StartsWith("default_web_80 ", StringComparison.Ordinal));
            Assert.That(fellThrough.Body, Does.StartWith("default_web_80 "), fellThrough.ToString());

            using var http = new HttpClient();
            Assert.That(await http.GetStringAsync(new Uri($"http://127.0.0.1:{ports[3]}/readyz")), Does.StartWith("ready "));
            // The demo host's routes share one (empty) policy, so Lua matches its paths from the live file (ADR 0011):
            // renaming a path changes only the live data, applied without a reload.
            string metrics = await Eventually.ValueAsync(() => http.GetStringAsync(new Uri($"http://127.0.0.1:{ports[3]}/metrics")), m => m.Contains("portico_live_updates_total{result=\"success\"}", StringComparison.Ordinal));
            Assert.That(metrics, Does.Contain("portico_live_updates_total{result=\"success\"}").And.Contain("portico_reloads_total{result=\"success\"} 1\n"));
        }
        finally
        {
            Stop(portico);
            Directory.Delete(directory, recursive: true);
        }

        Assert.That(portico.ExitCode, Is.Zero, "a graceful stop exits 0");
    }

    [Test]
    public async Task After_kill_9_of_the_nginx_master_its_workers_are_ended_a_new_nginx_serves_and_edits_still_apply()
    {
        string directory = NginxProcess.CreateTemporaryDirectory();
        var (portico, ports, text, demo, shared, api) = await StartDemoAsync(directory);
        using var started = portico;
        try
        {
            Assert.That(api.Body, Does.StartWith("default_api_8080 "), api.ToString());
            int master = int.Parse(File.ReadAllText(Path.Combine(shared, "nginx.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(ProcessTable.GroupOf(master), Is.EqualTo(master), "nginx leads a process group of its own");
            var workers = ProcessTable.LiveMembers(master).Where(pid => pid != master).ToList();
            Assert.That(workers, Is.Not.Empty);

            Assert.That(PosixSignals.TrySend(master, 9, out int errno), Is.True, $"kill -9 {master}: errno {errno}");

            // A new master (Portico's child, leading its own group) with workers of its own; the old workers are gone.
            int restarted = await Eventually.ValueAsync(() => Task.FromResult(NewMaster(shared, master)), pid => pid > 0 && ProcessTable.LiveMembers(pid).Count > 1, TimeSpan.FromSeconds(30));
            Assert.That(restarted, Is.Positive.And.Not.EqualTo(master), "nginx was started again");
            Assert.That(ProcessTable.LiveMembers(restarted), Has.Count.GreaterThan(1), "the new master has workers");
            Assert.That(workers.Where(ProcessTable.IsAlive), Is.Empty, "the old master's workers were ended");
            Assert.That(ProcessTable.LiveMembers(master), Is.Empty);
            var served = await Eventually.ValueAsync(() => GetAsync(ports[0], "/api/hello"), r => r.StatusCode == 200, TimeSpan.FromSeconds(30));
            Assert.That(served.Body, Does.StartWith("default_api_8080 "), served.ToString());

            // A change made after the crash reaches the new nginx.
            File.WriteAllText(demo, text.Replace("path: /api", "path: /v2", StringComparison.Ordinal));
            var moved = await Eventually.ValueAsync(() => GetAsync(ports[0], "/v2/x"), r => r.Body.StartsWith("default_api_8080 ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            Assert.That(moved.Body, Does.StartWith("default_api_8080 "), moved.ToString());
            // Each nginx worker reads the live file on its own (every 50 ms): the other one may still be a poll behind.
            var fellThrough = await Eventually.ValueAsync(() => GetAsync(ports[0], "/api/hello"), r => r.Body.StartsWith("default_web_80 ", StringComparison.Ordinal));
            Assert.That(fellThrough.Body, Does.StartWith("default_web_80 "), fellThrough.ToString());
            Assert.That(NewMaster(shared, master), Is.EqualTo(restarted), "reloaded, not restarted");
        }
        finally
        {
            Stop(portico);
            Directory.Delete(directory, recursive: true);
        }

        Assert.That(portico.ExitCode, Is.Zero, "a graceful stop exits 0");
    }

    /// <summary>
    /// Portico on a copy of the demo with free ports, and its first answer for /api/hello. Tests run in parallel, so a
    /// port can be taken between FreePorts and nginx's bind, and nginx cannot listen: then Portico is stopped and
    /// started again on fresh ports and a fresh shared directory, at most three times.
    /// </summary>
    private static async Task<(Process Portico, int[] Ports, string Text, string Demo, string Shared, ProxyResponse First)> StartDemoAsync(string directory)
    {
        string manifests = Path.Combine(directory, "manifests");
        Directory.CreateDirectory(manifests);
        string demo = Path.Combine(manifests, "demo.yaml");
        for (int attempt = 1; ; attempt++)
        {
            int[] ports = FreePorts.Take(6);
            string shared = Path.Combine(directory, $"shared-{attempt}");

            // The demo's backends listen on fixed ports; move them to free ones for the test.
            string text = File.ReadAllText(RepositoryPaths.Combine("manifests", "local", "demo.yaml"))
                .Replace("10301", ports[4].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("10302", ports[5].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            File.WriteAllText(demo, text);
            var portico = Start(
                "run", "--manifests", manifests, "--allow-loopback-endpoints", "--demo-backends", "--shared-dir", shared,
                "--listen-http", $"127.0.0.1:{ports[0]}", "--listen-https", $"127.0.0.1:{ports[1]}",
                "--status-listen", $"127.0.0.1:{ports[2]}", "--health-listen", $"127.0.0.1:{ports[3]}");
            var first = await Eventually.ValueAsync(() => GetAsync(ports[0], "/api/hello"), r => r.StatusCode == 200, TimeSpan.FromSeconds(attempt < 3 ? 30 : 60));
            if (first.StatusCode == 200 || attempt == 3)
            {
                return (portico, ports, text, demo, shared, first);
            }

            Stop(portico);
            portico.Dispose();
        }
    }

    /// <summary>The live nginx master named by the pid file, when it is not <paramref name="old"/>; else 0.</summary>
    private static int NewMaster(string shared, int old)
    {
        string file = Path.Combine(shared, "nginx.pid");
        return File.Exists(file)
            && int.TryParse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture, out int pid)
            && pid != old && ProcessTable.IsAlive(pid) && ProcessTable.GroupOf(pid) == pid
            ? pid
            : 0;
    }

    [Test]
    public async Task Local_mode_without_nginx_says_so()
    {
        using var portico = Start(drainErrors: false, "run", "--manifests", RepositoryPaths.Combine("manifests", "local"), "--nginx", "/nonexistent/nginx", "--health-listen", $"127.0.0.1:{FreePorts.Take()}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string stderr = await portico.StandardError.ReadToEndAsync(timeout.Token);
        await portico.WaitForExitAsync(timeout.Token);
        Assert.That(portico.ExitCode, Is.Not.Zero);
        Assert.That(stderr, Does.Contain("/nonexistent/nginx"));
    }

    private static Task<ProxyResponse> GetAsync(int port, string path) => ProxyClient.TryGetAsync(port, "demo.localhost", path);

    private static Process Start(params string[] arguments) => Start(drainErrors: true, arguments);

    private static Process Start(bool drainErrors, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = false };
        start.ArgumentList.Add(PorticoExecutable.Dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("portico did not start");
        if (!drainErrors)
        {
            return process;
        }

        // Read, or a full pipe would stop Portico (and the nginx it runs, which shares its stderr) at its next write;
        // the last lines go to the test's output when it stops, for a failure to be read from CI's log.
        var tail = new ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                tail.Enqueue(line);
                while (tail.Count > 200 && tail.TryDequeue(out string? _))
                {
                }
            }
        };
        process.BeginErrorReadLine();
        Tails.AddOrUpdate(process, tail);
        return process;
    }

    private static readonly ConditionalWeakTable<Process, ConcurrentQueue<string>> Tails = [];

    /// <summary>SIGTERM, as Kubernetes or Ctrl-C would; bounded, then kill.</summary>
    private static void Stop(Process process)
    {
        if (!(!process.HasExited && PosixSignals.TrySend(process.Id, 15, out _) && process.WaitForExit(TimeSpan.FromSeconds(20))))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        if (Tails.TryGetValue(process, out var tail))
        {
            TestContext.Out.WriteLine($"portico's stderr, last {tail.Count} lines:{Environment.NewLine}{string.Join(Environment.NewLine, tail)}");
        }
    }
}
