using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Applying;
using Portico.Core.Proxies;
using Portico.Envoy.Tests.Support;
using Portico.Local;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Envoy.Tests;

/// <summary>
/// `portico run --proxy envoy`: local mode starts an Envoy on the shared directory, applies every change by swapping
/// <c>current</c> and confirms it through the admin API. No Envoy binary is available here, so "Envoy" is a stand-in
/// script (it records how it was started, then waits) and its admin API is <see cref="EnvoyAdminDouble"/> on the
/// status port, reading the files behind <c>current</c> as Envoy would.
/// </summary>
public sealed class EnvoyLocalModeTests
{
    private const string FakeEnvoy = """
        #!/bin/sh
        # Stands in for Envoy in local mode: `--mode validate` (before each swap) checks that the files are reachable
        # through current/; otherwise it records its pid, working directory and arguments, then waits to be stopped.
        if [ "$1" = "--mode" ]; then
          echo "$PWD" >> "$(dirname "$0")/validated.txt"
          [ -f current/envoy.json ] && [ -f current/lds.json ] && exit 0
          echo "no bootstrap through current/" >&2; exit 1
        fi
        echo "$$ $PWD $*" >> "$(dirname "$0")/started.txt"
        exec sleep 300
        """;

    private string _work = null!;

    [SetUp]
    public void CreateWorkDirectory() => _work = Directory.CreateTempSubdirectory("portico-envoy-local-").FullName;

    [TearDown]
    public void RemoveWorkDirectory() => Directory.Delete(_work, recursive: true);

    [Test]
    public async Task LocalEnvoy_starts_envoy_once_in_the_shared_root_and_again_when_it_died()
    {
        string envoyBinary = WriteFakeEnvoy();
        string shared = Directory.CreateDirectory(Path.Combine(_work, "shared")).FullName;
        await using var envoy = new LocalProxyProcess(ProxyKind.Envoy, envoyBinary, shared, NullLogger<LocalProxyProcess>.Instance);

        Assert.That(await envoy.TriggerAsync(CancellationToken.None), Is.False, "started now: it reads current itself");
        int first = envoy.ProcessId!.Value;
        Assert.That(await envoy.TriggerAsync(CancellationToken.None), Is.True, "running: the swap is the reload, nothing is sent");
        Assert.That(envoy.ProcessId, Is.EqualTo(first));
        Assert.That(await Eventually.TrueAsync(() => Started().Length == 1), Is.True);
        Assert.That(Started()[0], Is.EqualTo($"{first} {shared} -c current/envoy.json --disable-hot-restart --log-level info"));

        using (var process = Process.GetProcessById(first))
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.That(await envoy.TriggerAsync(CancellationToken.None), Is.False, "dead: started again");
        Assert.That(envoy.ProcessId, Is.Not.EqualTo(first).And.Not.Null);
    }

    [Test]
    public async Task Portico_run_with_proxy_envoy_starts_envoy_and_confirms_each_change_through_the_admin_api()
    {
        string envoyBinary = WriteFakeEnvoy();
        string shared = Path.Combine(_work, "shared");
        Directory.CreateDirectory(shared);
        string manifests = Directory.CreateDirectory(Path.Combine(_work, "manifests")).FullName;
        string manifest = Path.Combine(manifests, "app.yaml");
        File.WriteAllText(manifest, Manifest("/"));
        int[] ports = FreePorts.Take(4);
        await using var admin = await EnvoyAdminDouble.StartAsync(shared, ports[2]);

        using var portico = Start(
            "run", "--proxy", "envoy", "--manifests", manifests, "--envoy", envoyBinary, "--shared-dir", shared,
            "--listen-http", $"127.0.0.1:{ports[0]}", "--listen-https", $"127.0.0.1:{ports[1]}",
            "--status-listen", $"127.0.0.1:{ports[2]}", "--health-listen", $"127.0.0.1:{ports[3]}");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var ready = new Uri($"http://127.0.0.1:{ports[3]}/readyz");
            string first = await Eventually.ValueAsync(() => ReadyAsync(http, ready), r => r.StartsWith("ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            Assert.That(first, Does.StartWith("ready "), "the first configuration is confirmed");
            Assert.That(Started(), Has.Length.EqualTo(1).And.Some.Contains($" {shared} -c current/envoy.json"), "local mode started Envoy in the shared root");
            Assert.That(admin.Loads, Is.EqualTo(1));
            Assert.That(admin.RouteVersions.Keys, Is.EqualTo(new[] { "http" }));

            File.WriteAllText(manifest, Manifest("/v2"));
            string second = await Eventually.ValueAsync(() => ReadyAsync(http, ready), r => r.StartsWith("ready ", StringComparison.Ordinal) && r != first, TimeSpan.FromSeconds(60));
            Assert.That(second, Is.Not.EqualTo(first), "the edit was applied and confirmed");
            Assert.That(admin.Loads, Is.EqualTo(2), "Envoy read its files once more: the swap");
            Assert.That(Started(), Has.Length.EqualTo(1), "Envoy was not restarted for the change");
            Assert.That(admin.Requests, Has.Some.Contains("config_dump?mask=version_info"));
            Assert.That(File.ReadAllLines(Path.Combine(_work, "bin", "validated.txt")), Has.Length.EqualTo(2), "envoy --mode validate checked each version before its swap");
        }
        finally
        {
            Stop(portico);
        }

        Assert.That(portico.ExitCode, Is.Zero, "a graceful stop exits 0");
        int envoyPid = int.Parse(Started()[0].Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.That(await Eventually.TrueAsync(() => !IsAlive(envoyPid)), Is.True, "stopping Portico stopped its Envoy");
    }

    private static string Manifest(string path) =>
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: app, namespace: default}\nspec:\n  ingressClassName: portico\n"
        + $"  rules: [{{host: app.localhost, http: {{paths: [{{path: {path}, pathType: Prefix, backend: {{service: {{name: web, port: {{number: 80}}}}}}}}]}}}}]\n"
        + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec: {ports: [{port: 80}]}\n"
        + "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}\n"
        + "addressType: IPv4\nports: [{port: 8080}]\nendpoints: [{addresses: [10.0.0.5]}]\n";

    private static async Task<string> ReadyAsync(HttpClient http, Uri uri)
    {
        try
        {
            using var response = await http.GetAsync(uri);
            return await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
        catch (TaskCanceledException e)
        {
            return e.Message;
        }
    }

    private string[] Started()
    {
        string file = Path.Combine(_work, "bin", "started.txt");
        return File.Exists(file) ? File.ReadAllLines(file) : [];
    }

    private string WriteFakeEnvoy()
    {
        string path = Path.Combine(Directory.CreateDirectory(Path.Combine(_work, "bin")).FullName, "envoy");
        File.WriteAllText(path, FakeEnvoy.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = false, RedirectStandardError = false };
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
