using System.Diagnostics;
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
        string manifests = Path.Combine(directory, "manifests");
        Directory.CreateDirectory(manifests);
        string demo = Path.Combine(manifests, "demo.yaml");
        int[] ports = FreePorts.Take(6);

        // The demo's backends listen on fixed ports; move them to free ones for the test.
        string text = File.ReadAllText(RepositoryPaths.Combine("manifests", "local", "demo.yaml"))
            .Replace("10301", ports[4].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("10302", ports[5].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        File.WriteAllText(demo, text);

        using var portico = Start(
            "run", "--manifests", manifests, "--allow-loopback-endpoints", "--demo-backends",
            "--shared-dir", Path.Combine(directory, "shared"),
            "--listen-http", $"127.0.0.1:{ports[0]}", "--listen-https", $"127.0.0.1:{ports[1]}",
            "--status-listen", $"127.0.0.1:{ports[2]}", "--health-listen", $"127.0.0.1:{ports[3]}");
        try
        {
            var api = await Eventually.ValueAsync(() => GetAsync(ports[0], "/api/hello"), r => r.StatusCode == 200, TimeSpan.FromSeconds(60));
            Assert.That(api.Body, Does.StartWith("default_api_8080 ").And.Contain("GET /api/hello"), api.ToString());
            var web = await GetAsync(ports[0], "/");
            Assert.That(web.Body, Does.StartWith("default_web_80 "), web.ToString());

            // Rename the path while it runs: /v2 goes to the api backend, /api falls through to web.
            File.WriteAllText(demo, text.Replace("path: /api", "path: /v2", StringComparison.Ordinal));
            var moved = await Eventually.ValueAsync(() => GetAsync(ports[0], "/v2/x"), r => r.Body.StartsWith("default_api_8080 ", StringComparison.Ordinal));
            Assert.That(moved.Body, Does.StartWith("default_api_8080 "), moved.ToString());
            Assert.That((await GetAsync(ports[0], "/api/hello")).Body, Does.StartWith("default_web_80 "));

            using var http = new HttpClient();
            Assert.That(await http.GetStringAsync(new Uri($"http://127.0.0.1:{ports[3]}/readyz")), Does.StartWith("ready "));
            Assert.That(await http.GetStringAsync(new Uri($"http://127.0.0.1:{ports[3]}/metrics")), Does.Contain("portico_reloads_total{result=\"success\"} 2"));
        }
        finally
        {
            Stop(portico);
            Directory.Delete(directory, recursive: true);
        }

        Assert.That(portico.ExitCode, Is.Zero, "a graceful stop exits 0");
    }

    [Test]
    public async Task Local_mode_without_nginx_says_so()
    {
        using var portico = Start("run", "--manifests", RepositoryPaths.Combine("manifests", "local"), "--nginx", "/nonexistent/nginx", "--health-listen", $"127.0.0.1:{FreePorts.Take()}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string stderr = await portico.StandardError.ReadToEndAsync(timeout.Token);
        await portico.WaitForExitAsync(timeout.Token);
        Assert.That(portico.ExitCode, Is.Not.Zero);
        Assert.That(stderr, Does.Contain("/nonexistent/nginx"));
    }

    private static Task<ProxyResponse> GetAsync(int port, string path) => ProxyClient.TryGetAsync(port, "demo.localhost", path);

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = false };
        start.ArgumentList.Add(PorticoExecutable.Dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("portico did not start");
    }

    /// <summary>SIGTERM, as Kubernetes or Ctrl-C would; bounded, then kill.</summary>
    private static void Stop(Process process)
    {
        if (!process.HasExited && PosixSignals.TrySend(process.Id, 15, out _) && process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            return;
        }

        process.Kill(entireProcessTree: true);
        process.WaitForExit(TimeSpan.FromSeconds(10));
    }
}
