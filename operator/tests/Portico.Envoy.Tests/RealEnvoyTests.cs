using System.Diagnostics;
using System.Text;
using Portico.Core.Applying;
using Portico.Core.Applying.Envoy;
using Portico.Core.Building;
using Portico.Core.Manifests;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Envoy.Tests;

/// <summary>
/// Opt-in: a real Envoy, where one is installed (an <c>envoy</c> on PATH, or the file ENVOY_BINARY names). Without
/// one the case sources yield no cases, so a machine without Envoy (this project's CI) runs nothing here and counts
/// nothing as skipped; with one, every golden output goes through <c>envoy --mode validate</c>, and a running Envoy
/// takes two swaps of <c>current</c>, confirmed by the probe and seen in the answers it proxies (docs/envoy.md).
/// These tests were written against Envoy's documentation: no Envoy binary was available where they were written.
/// </summary>
public sealed class RealEnvoyTests
{
    public const string BinaryVariable = "ENVOY_BINARY";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The Envoy to run, or null when there is none.</summary>
    public static string? EnvoyBinary { get; } = FindEnvoy();

    public static IEnumerable<TestCaseData> GoldenCases() =>
        EnvoyBinary is null ? [] : EnvoyCases.SharedNames.Select(n => new TestCaseData(n).SetArgDisplayNames(n));

    public static IEnumerable<TestCaseData> RunningEnvoy() =>
        EnvoyBinary is null ? [] : [new TestCaseData("info").SetName("A real Envoy takes each swap of current and the probe confirms it")];

    [TestCaseSource(nameof(GoldenCases))]
    public async Task Envoy_accepts_the_golden_output_in_validate_mode(string name)
    {
        var root = Directory.CreateTempSubdirectory("portico-real-envoy-validate-");
        try
        {
            var directory = new VersionedConfigDirectory(root.FullName);
            string version = directory.Stage(EnvoyCases.RenderShared(name).Config);
            string? problem = await new EnvoyCommandValidator(EnvoyBinary!, TimeSpan.FromSeconds(60)).ValidateAsync(directory.VersionDirectory(version), CancellationToken.None);
            Assert.That(problem, Is.Null);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [TestCaseSource(nameof(RunningEnvoy))]
    public async Task A_real_envoy_takes_each_swap_and_the_probe_confirms_it(string logLevel)
    {
        var root = Directory.CreateTempSubdirectory("portico-real-envoy-");
        await using var one = await TestBackend.StartAsync("one");
        await using var two = await TestBackend.StartAsync("two");
        int[] ports = FreePorts.Take(3);
        var settings = new ProxySettings
        {
            ListenHttp = ListenAddress.Parse($"127.0.0.1:{ports[0]}"),
            ListenHttps = ListenAddress.Parse($"127.0.0.1:{ports[1]}"),
            StatusListen = ListenAddress.Parse($"127.0.0.1:{ports[2]}"),
            AccessLog = false,
        };
        var first = Render(settings, ("one", one.Port, "/"));
        var second = Render(settings, ("one", one.Port, "/"), ("two", two.Port, "/two"));
        var directory = new VersionedConfigDirectory(root.FullName);
        Process? envoy = null;
        var log = new StringBuilder();
        try
        {
            Assert.That(EnvoyLocalMode.ActivateInitial(directory, first), Is.True);
            var start = EnvoyLocalMode.StartInfo(EnvoyBinary!, root.FullName, logLevel);
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            envoy = Process.Start(start)!;
            envoy.OutputDataReceived += (_, e) => Append(log, e.Data);
            envoy.ErrorDataReceived += (_, e) => Append(log, e.Data);
            envoy.BeginOutputReadLine();
            envoy.BeginErrorReadLine();

            using var probe = EnvoyAdminProbe.For(settings, directory);
            var options = new ApplierOptions { ConfirmTimeout = StartTimeout, MinReloadInterval = TimeSpan.Zero };
            var applier = EnvoyLocalMode.CreateApplier(directory, probe, EnvoyLocalMode.Validator(null, EnvoyBinary, TimeSpan.FromSeconds(60)), options, TimeProvider.System);

            var started = await applier.ApplyAsync(first, CancellationToken.None);
            Assert.That(started.Outcome, Is.EqualTo(ApplyOutcome.Applied), $"{started.Message}\n{log}");
            Assert.That((await ProxyClient.GetAsync(ports[0], "real.test", "/two")).Backend, Is.EqualTo("one"));
            Assert.That((await ProxyClient.GetAsync(ports[0], "unknown.test", "/")).StatusCode, Is.EqualTo(404));

            var swapped = await applier.ApplyAsync(second, CancellationToken.None);
            Assert.That(swapped.Outcome, Is.EqualTo(ApplyOutcome.Applied), $"{swapped.Message}\n{log}");
            Assert.That(await probe.ReadAppliedHashAsync(CancellationToken.None), Is.EqualTo(second.Hash));
            Assert.That((await ProxyClient.GetAsync(ports[0], "real.test", "/two")).Backend, Is.EqualTo("two"));
            Assert.That((await ProxyClient.GetAsync(ports[0], "real.test", "/")).Backend, Is.EqualTo("one"));

            var back = await applier.ApplyAsync(first, CancellationToken.None);
            Assert.That(back.Outcome, Is.EqualTo(ApplyOutcome.Applied), $"{back.Message}\n{log}");
            Assert.That((await ProxyClient.GetAsync(ports[0], "real.test", "/two")).Backend, Is.EqualTo("one"));
        }
        finally
        {
            if (envoy is not null)
            {
                envoy.Kill(entireProcessTree: true);
                await envoy.WaitForExitAsync().WaitAsync(StartTimeout);
                envoy.Dispose();
            }

            root.Delete(recursive: true);
        }
    }

    private static RenderedConfig Render(ProxySettings settings, params (string Name, int Port, string Path)[] backends)
    {
        var yaml = new StringBuilder();
        yaml.Append("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: real, namespace: default}\nspec:\n  ingressClassName: portico\n  rules:\n  - host: real.test\n    http:\n      paths:\n");
        foreach (var (name, _, path) in backends)
        {
            yaml.Append($"      - {{path: {path}, pathType: Prefix, backend: {{service: {{name: {name}, port: {{number: 80}}}}}}}}\n");
        }

        foreach (var (name, port, _) in backends)
        {
            yaml.Append($"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: default}}\nspec: {{ports: [{{port: 80}}]}}\n");
            yaml.Append($"---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {{name: {name}-1, namespace: default, labels: {{kubernetes.io/service-name: {name}}}}}\naddressType: IPv4\nports: [{{port: {port}}}]\nendpoints: [{{addresses: [127.0.0.1]}}]\n");
        }

        return OfflinePipeline.Render(ManifestReader.ReadString(yaml.ToString()), new BuildOptions { AllowLoopbackEndpoints = true }, settings, ProxyKind.Envoy.CreateRenderer()).Config;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.Length < 64 * 1024)
            {
                log.AppendLine(line);
            }
        }
    }

    private static string? FindEnvoy()
    {
        string? configured = Environment.GetEnvironmentVariable(BinaryVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"{BinaryVariable} names no file", configured);
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "envoy"))
            .FirstOrDefault(File.Exists);
    }
}
