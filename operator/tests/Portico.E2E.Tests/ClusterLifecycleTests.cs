using k8s;
using k8s.Models;
using Portico.Core.Applying;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.E2E.Tests;

/// <summary>
/// The operator's life against an API server, with real traffic through its nginx: objects created, changed and
/// deleted through the API show up in routing; TLS Secrets rotate; the API server going away or expiring watches
/// does not stop the serving; a restarted operator renders the same bytes. Tests run in order and share one world.
/// </summary>
[TestFixture]
public sealed class ClusterLifecycleTests
{
    private readonly Dictionary<string, TestBackend> _backends = [];
    private Api _api = null!;
    private string _directory = null!;
    private string _shared = null!;
    private string _kubeconfig = null!;
    private OperatorPorts _ports = null!;
    private OperatorUnderTest _operator = null!;
    private Sidecar _sidecar = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        foreach (string name in new[] { "blue", "green", "red" })
        {
            _backends[name] = await TestBackend.StartAsync(name);
        }

        _api = await Api.StartAsync();
        _api.Upsert(Kube.IngressClass("portico"));
        _directory = NginxProcess.CreateTemporaryDirectory();
        _shared = Path.Combine(_directory, "shared");
        _kubeconfig = Kubeconfig.Write(_directory, _api.BaseAddress);
        _ports = OperatorPorts.Take();
        _operator = await OperatorUnderTest.StartAsync(_ports, _shared, _kubeconfig);
        _sidecar = new Sidecar(_shared);
        await _sidecar.StartWhenConfiguredAsync();
        Assert.That(await Eventually.TrueAsync(() => _operator.Readiness.IsReady), Is.True, "the operator applied its first configuration");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_operator is not null)
        {
            await _operator.DisposeAsync();
        }

        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        foreach (var backend in _backends.Values)
        {
            await backend.DisposeAsync();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    [Order(1)]
    public async Task An_Ingress_created_through_the_API_gets_traffic_routed()
    {
        Service("shop", "blue");
        _api.Upsert(Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "shop", 80));

        Assert.That((await BackendOfAsync("shop.test", "/cart", "blue")).Backend, Is.EqualTo("blue"));
    }

    [Test]
    [Order(2)]
    public async Task Changing_the_backend_moves_the_traffic()
    {
        Service("shop-v2", "green");
        _api.Upsert(Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "shop-v2", 80));

        Assert.That((await BackendOfAsync("shop.test", "/cart", "green")).Backend, Is.EqualTo("green"));
    }

    [Test]
    [Order(3)]
    public async Task Scaled_endpoints_all_take_requests_without_a_reload()
    {
        // The previous change (the switch to shop-v2, a live update: the route of "/", or the host's rules when Lua
        // matches its paths, now names shop-v2) is confirmed
        // and counted once the operator's applied identity ends with the version of the live file that says so.
        string live = Path.Combine(_shared, "portico-endpoints.txt");
        Assert.That(
            await Eventually.TrueAsync(() => File.ReadAllText(live) is var text
                && (text.Contains(" default_shop-v2_80\n", StringComparison.Ordinal) || text.Contains(":default_shop-v2_80\n", StringComparison.Ordinal))
                && _operator.Readiness.AppliedIdentity?.EndsWith("+" + text.Split('\n')[0].Split(' ')[^1], StringComparison.Ordinal) == true),
            Is.True,
            "the previous change settled");
        double reloads = _operator.Metrics.Reloads.WithLabels("success").Value;
        double liveUpdates = _operator.Metrics.LiveUpdates.WithLabels("success").Value;
        double endpointBuilds = _operator.Metrics.Builds.WithLabels("endpoints").Value;
        _api.Upsert(Kube.Slice("shop-v2", null, _backends["red"].Port, ["127.0.0.1"], name: "shop-v2-red"));

        var seen = new HashSet<string?>();
        var last = await Eventually.ValueAsync(
            async () =>
            {
                var response = await ProxyClient.TryGetAsync(_ports.Http, "shop.test", "/");
                seen.Add(response.Backend);
                return seen.Count;
            },
            count => seen.Contains("green") && seen.Contains("red"));
        Assert.That(seen, Is.SupersetOf(new[] { "green", "red" }), $"{last} backends seen");
        Assert.That(await Eventually.TrueAsync(() => _operator.Metrics.LiveUpdates.WithLabels("success").Value > liveUpdates), Is.True, "confirmed as a live endpoints update");
        Assert.That(_operator.Metrics.Reloads.WithLabels("success").Value, Is.EqualTo(reloads), "nginx was not reloaded");
        Assert.That(_operator.Metrics.Builds.WithLabels("endpoints").Value, Is.GreaterThan(endpointBuilds), "built from the previous model, not from the whole snapshot");
    }

    [Test]
    [Order(4)]
    public async Task A_deleted_Ingress_gets_404()
    {
        Service("gone", "blue");
        _api.Upsert(Kube.Ingress("gone").WithPath("gone.test", "/", "Prefix", "gone", 80));
        Assert.That((await BackendOfAsync("gone.test", "/", "blue")).Backend, Is.EqualTo("blue"));

        _api.Delete<V1Ingress>("default", "gone");

        var response = await Eventually.ValueAsync(() => ProxyClient.TryGetAsync(_ports.Http, "gone.test", "/"), r => r.StatusCode == 404);
        Assert.That(response.StatusCode, Is.EqualTo(404), response.ToString());
    }

    [Test]
    [Order(5)]
    public async Task A_rotated_TLS_Secret_is_served_without_restarting_anything()
    {
        var first = TestCertificates.Create("tls.test");
        Service("secure", "blue");
        _api.Upsert(Kube.TlsSecret("secure-tls", first.Certificate, first.Key));
        _api.Upsert(Kube.Ingress("secure").WithPath("tls.test", "/", "Prefix", "secure", 80).WithTls("secure-tls", "tls.test"));
        var before = await Eventually.ValueAsync(() => ProxyClient.HandshakeAsync(_ports.Https, "tls.test"), r => r.Certificate?.Thumbprint == first.Parsed.Thumbprint);
        Assert.That(before.Certificate?.Thumbprint, Is.EqualTo(first.Parsed.Thumbprint), before.ToString());

        var second = TestCertificates.Create("tls.test");
        _api.Upsert(Kube.TlsSecret("secure-tls", second.Certificate, second.Key));

        var after = await Eventually.ValueAsync(() => ProxyClient.HandshakeAsync(_ports.Https, "tls.test"), r => r.Certificate?.Thumbprint == second.Parsed.Thumbprint);
        Assert.That(after.Certificate?.Thumbprint, Is.EqualTo(second.Parsed.Thumbprint), after.ToString());
    }

    [Test]
    [Order(6)]
    public async Task With_the_API_server_down_traffic_keeps_flowing_and_changes_resume_after()
    {
        await _api.StopAsync();
        try
        {
            var during = await ProxyClient.TryGetAsync(_ports.Http, "shop.test", "/");
            Assert.That(during.StatusCode, Is.EqualTo(200), during.ToString());
            using var health = new HttpClient();
            var healthz = await health.GetAsync(new Uri($"http://127.0.0.1:{_ports.Health}/healthz"));
            Assert.That((int)healthz.StatusCode, Is.EqualTo(200));
        }
        finally
        {
            await _api.RestartAsync();
        }

        Service("later", "red");
        _api.Upsert(Kube.Ingress("later").WithPath("later.test", "/", "Prefix", "later", 80));
        Assert.That((await BackendOfAsync("later.test", "/", "red")).Backend, Is.EqualTo("red"));
    }

    [Test]
    [Order(7)]
    public async Task Expired_watches_are_relisted_and_nothing_is_missed()
    {
        // Every watch ends now, and the next ones are told their resourceVersion is too old (410 Gone).
        _api.Faults.ExpireNextWatches(10);
        _api.Compact();
        _api.Faults.DropWatches();
        Service("relisted", "green");
        _api.Upsert(Kube.Ingress("relisted").WithPath("relisted.test", "/", "Prefix", "relisted", 80));

        Assert.That((await BackendOfAsync("relisted.test", "/", "green")).Backend, Is.EqualTo("green"));
        Assert.That((await BackendOfAsync("shop.test", "/", "green")).StatusCode, Is.EqualTo(200), "earlier objects survive the relist");
    }

    [Test]
    [Order(8)]
    public async Task A_restarted_operator_renders_byte_identical_config()
    {
        // Traffic can move before the applier has seen the confirmation: wait until the configuration is active and
        // recorded as applied, with relisted.test (a plain-HTTP host: routed by the live file, ADR 0014) in it.
        var directory = new VersionedConfigDirectory(_shared);
        Assert.That(
            await Eventually.TrueAsync(() => _operator.Readiness.AppliedHash?[..16] == directory.ActiveVersion
                && File.ReadAllText(Path.Combine(_shared, "portico-endpoints.txt")).Contains("\n=relisted.test ", StringComparison.Ordinal)),
            Is.True,
            "the operator settles");
        string hash = _operator.Readiness.AppliedHash!;
        string version = directory.ActiveVersion!;
        var files = Snapshot(directory.VersionDirectory(version));

        await _operator.DisposeAsync();
        _operator = await OperatorUnderTest.StartAsync(_ports, _shared, _kubeconfig);
        Assert.That(await Eventually.TrueAsync(() => _operator.Readiness.IsReady), Is.True, "the restarted operator applied its configuration");

        string newHash = _operator.Readiness.AppliedHash!;
        Assert.That(newHash, Is.EqualTo(hash), $"active {directory.ActiveVersion}, before {version}; " + Difference(directory.VersionDirectory(version), directory.VersionDirectory(directory.ActiveVersion!)));
        Assert.That(directory.ActiveVersion, Is.EqualTo(version));
        Assert.That(Snapshot(directory.VersionDirectory(version)), Is.EqualTo(files));
        Assert.That((await ProxyClient.TryGetAsync(_ports.Http, "relisted.test", "/")).Backend, Is.EqualTo("green"));
    }

    /// <summary>For a failure message: the lines of nginx.conf one version has and the other has not.</summary>
    private static string Difference(string before, string after)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("diff", ["-r", "-u", before, after]) { RedirectStandardOutput = true };
        using var diff = System.Diagnostics.Process.Start(psi)!;
        string output = diff.StandardOutput.ReadToEnd();
        diff.WaitForExit(10_000);
        return output.Length > 4000 ? output[..4000] : output;
    }

    private static SortedDictionary<string, string> Snapshot(string directory) =>
        new(Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    private void Service(string name, string backend)
    {
        _api.Upsert(Kube.Service(name, "default", (null, 80)));
        _api.Upsert(Kube.Slice(name, null, _backends[backend].Port, ["127.0.0.1"], name: $"{name}-{backend}"));
    }

    private Task<ProxyResponse> BackendOfAsync(string host, string path, string expected) =>
        Eventually.ValueAsync(() => ProxyClient.TryGetAsync(_ports.Http, host, path), r => r.Backend == expected);
}
