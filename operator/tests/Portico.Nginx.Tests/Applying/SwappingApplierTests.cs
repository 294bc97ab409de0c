using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Applying;
using Portico.Core.Applying.Nginx;
using Portico.Core.Building;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Nginx;
using Portico.Local;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;
using k8s;
using k8s.Models;

namespace Portico.Nginx.Tests.Applying;

/// <summary>
/// The applier against a real nginx on the shared-directory layout the sidecar uses (<c>nginx -p SHARED/ -c
/// current/nginx.conf</c>): swaps are confirmed by the served hash, bad configs never reach nginx, unconfirmed ones
/// are rolled back, keys are private, old versions are collected, and a restart with the same config reloads nothing.
/// </summary>
[TestFixture]
public sealed class SwappingApplierTests
{
    private static readonly ApplierOptions Fast = new() { ConfirmTimeout = TimeSpan.FromSeconds(10), ConfirmPollInterval = TimeSpan.FromMilliseconds(20), MinReloadInterval = TimeSpan.Zero };
    private readonly List<IAsyncDisposable> _cleanup = [];
    private TestBackend _blue = null!;
    private TestBackend _green = null!;
    private string _shared = null!;
    private ProxySettings _settings = null!;
    private LocalProxyProcess _nginx = null!;

    [OneTimeSetUp]
    public async Task StartBackendsAsync()
    {
        _blue = await TestBackend.StartAsync("blue");
        _green = await TestBackend.StartAsync("green");
    }

    [OneTimeTearDown]
    public async Task StopBackendsAsync()
    {
        await _blue.DisposeAsync();
        await _green.DisposeAsync();
    }

    [SetUp]
    public void CreateSharedDirectory()
    {
        _shared = NginxProcess.CreateTemporaryDirectory();
        int[] ports = FreePorts.Take(3);
        _settings = new ProxySettings
        {
            ListenHttp = ListenAddress.Parse($"127.0.0.1:{ports[0]}"),
            ListenHttps = ListenAddress.Parse($"127.0.0.1:{ports[1]}"),
            StatusListen = ListenAddress.Parse($"127.0.0.1:{ports[2]}"),
            AccessLog = false,
            WorkerProcesses = 1,
            WorkerConnections = 256,
        };
        _nginx = new LocalProxyProcess(ProxyKind.Nginx, NginxProcess.Binary, _shared, NullLogger<LocalProxyProcess>.Instance);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _nginx.DisposeAsync();
        Directory.Delete(_shared, recursive: true);
    }

    [Test]
    public async Task A_swap_is_confirmed_by_the_served_hash_and_traffic_moves()
    {
        var first = Render(_blue);
        Assert.That(await Applier(_nginx).ApplyAsync(first, default), Has.Property("Outcome").EqualTo(ApplyOutcome.Applied));
        Assert.That((await Get()).Backend, Is.EqualTo("blue"));

        // From here on, as in the pod: SIGHUP to the pid nginx wrote into the shared directory.
        var applier = Applier(new PidFileReloadTrigger(Path.Combine(_shared, "nginx.pid")));
        var second = Render(_green);
        var result = await applier.ApplyAsync(second, default);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
        Assert.That(applier.ReloadCount, Is.EqualTo(1));
        Assert.That((await BackendAsync("green")).Backend, Is.EqualTo("green"), "after the old workers stop accepting");
        Assert.That(new VersionedConfigDirectory(_shared).ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(second)));
    }

    [Test]
    public async Task A_config_nginx_rejects_is_never_swapped_in()
    {
        var applier = Applier(_nginx, validate: true);
        var good = Render(_blue);
        Assert.That((await applier.ApplyAsync(good, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));

        var broken = WithFile(Render(_green), "nginx.conf", text => text.Replace("worker_connections", "worker_connectionz", StringComparison.Ordinal));
        var result = await applier.ApplyAsync(broken, default);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Invalid));
        Assert.That(result.Message, Does.Contain("worker_connectionz"));
        Assert.That(new VersionedConfigDirectory(_shared).ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(good)));
        Assert.That(Directory.Exists(new VersionedConfigDirectory(_shared).VersionDirectory(VersionedConfigDirectory.VersionOf(broken))), Is.False, "the rejected version is discarded");
        Assert.That(File.ReadAllBytes(Path.Combine(_shared, "portico-endpoints.txt")), Is.EqualTo(good.Live.Single().Content), "its live data, out during the check, put back");
        Assert.That((await BackendAsync("blue")).Backend, Is.EqualTo("blue"));
    }

    [Test]
    public async Task An_unconfirmed_reload_is_rolled_back_to_the_last_good_version()
    {
        var good = Render(_blue);
        Assert.That((await Applier(_nginx).ApplyAsync(good, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));

        // A reload signal that never reaches nginx: the new hash is never served.
        var applier = Applier(new LostReloadTrigger(), options: Fast with { ConfirmTimeout = TimeSpan.FromMilliseconds(300) });
        var result = await applier.ApplyAsync(Render(_green), default);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.RolledBack), result.Message);
        Assert.That(new VersionedConfigDirectory(_shared).ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(good)));
        Assert.That(File.ReadAllBytes(Path.Combine(_shared, "portico-endpoints.txt")), Is.EqualTo(good.Live.Single().Content), "the endpoints put back too");
        Assert.That((await BackendAsync("blue")).Backend, Is.EqualTo("blue"), "once the workers have re-read the endpoints");
    }

    [Test]
    public async Task While_a_reload_is_in_flight_old_and_new_routes_both_find_their_endpoints()
    {
        var blue = Render(_blue);
        Assert.That((await Applier(_nginx).ApplyAsync(blue, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));

        // A reload that never lands keeps nginx on the old nginx.conf (routing to Service "blue") for as long as the
        // confirmation waits: the endpoints published meanwhile must still hold blue's.
        var applier = Applier(new LostReloadTrigger(), options: Fast with { ConfirmTimeout = TimeSpan.FromSeconds(30) });
        using var stop = new CancellationTokenSource();
        var pending = applier.ApplyAsync(Render(_green), stop.Token);
        string live = Path.Combine(_shared, "portico-endpoints.txt");
        using var probe = new ConfigHashProbe(new Uri($"http://{_settings.StatusListen}/portico/config-hash"));
        string? version = await Eventually.ValueAsync(
            async () => File.ReadAllText(live).Contains("default_green_80", StringComparison.Ordinal) && await probe.ReadLiveHashAsync(default) is { } loaded
                && File.ReadLines(live).First().EndsWith(loaded, StringComparison.Ordinal) ? loaded : null,
            v => v is not null);
        Assert.That(version, Is.Not.Null, "the workers loaded the transitional endpoints");

        var during = await Get();
        Assert.That((during.StatusCode, during.Backend), Is.EqualTo((200, "green")), "the route of \"/\" is live data: switched before the reload");
        var old = await ProxyClient.GetAsync(_settings.ListenHttp.Port, "app.test", "/blue-only");
        Assert.That((old.StatusCode, old.Backend), Is.EqualTo((200, "blue")), "a location only the old nginx.conf has still finds blue's endpoints, not 503");
        Assert.That(File.ReadAllText(live), Does.Contain("default_blue_80").And.Contain("default_green_80"));
        Assert.That(pending.IsCompleted, Is.False, "still waiting for the reload");

        await stop.CancelAsync();
        Assert.That(async () => await pending, Throws.InstanceOf<OperationCanceledException>());
    }

    // Without a policy the host has no server block: the default server routes it by its "=HOST" line (ADR 0014).
    // With one nginx.conf enforces (a body size), one location matched by Lua (ADR 0011): its rules are keyed by
    // server and policy.
    [TestCase(false, "=app.test ", 1)]
    [TestCase(true, "&", 2)]
    public async Task While_a_policy_reload_is_in_flight_a_host_routed_by_Lua_keeps_routing_by_the_rules_of_the_policy_its_workers_run(bool openHasPolicy, string openLine, int ruleKeys)
    {
        var openIngress = Kube.Ingress("app").WithPath("app.test", "/", "Prefix", "blue", 80);
        openIngress = openHasPolicy ? openIngress.WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "5m") : openIngress;
        var open = RenderObjects([openIngress, .. NginxScenario.Service("blue", [_blue]), .. NginxScenario.Service("green", [_green])]);
        Assert.That((await Applier(_nginx).ApplyAsync(open, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        Assert.That((await Get()).Backend, Is.EqualTo("blue"));

        // The same host moved to green behind an IP allow-list the loopback client is not on, with a body size that
        // keeps it a server block (nginx.conf enforces it); the reload never lands.
        var gated = RenderObjects([
            Kube.Ingress("app").WithAnnotation("nginx.ingress.kubernetes.io/whitelist-source-range", "192.0.2.0/24")
                .WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "6m").WithPath("app.test", "/", "Prefix", "green", 80),
            .. NginxScenario.Service("blue", [_blue]), .. NginxScenario.Service("green", [_green])]);
        var applier = Applier(new LostReloadTrigger(), options: Fast with { ConfirmTimeout = TimeSpan.FromSeconds(30) });
        using var stop = new CancellationTokenSource();
        var pending = applier.ApplyAsync(gated, stop.Token);
        using var probe = new ConfigHashProbe(new Uri($"http://{_settings.StatusListen}/portico/config-hash"));
        string live = Path.Combine(_shared, "portico-endpoints.txt");
        string? version = await Eventually.ValueAsync(
            async () => await probe.ReadLiveHashAsync(default) is { } loaded && File.ReadLines(live).First().EndsWith(loaded, StringComparison.Ordinal)
                && File.ReadLines(live).Count(l => l.StartsWith('&')) == ruleKeys && File.ReadLines(live).Any(l => l.StartsWith(openLine, StringComparison.Ordinal)) ? loaded : null,
            v => v is not null);
        Assert.That(version, Is.Not.Null, "the workers loaded the transitional rules (the old ones and the new key)");

        var during = await Get();
        Assert.That((during.StatusCode, during.Backend), Is.EqualTo((200, "blue")), "the old workers route by their own policy's rules, never to green without its allow-list");
        Assert.That(pending.IsCompleted, Is.False, "still waiting for the reload");
        await stop.CancelAsync();
        Assert.That(async () => await pending, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task While_a_reload_is_in_flight_a_host_whose_allow_list_is_live_data_is_routed_with_it_or_not_at_all()
    {
        Assert.That((await Applier(_nginx).ApplyAsync(RenderObjects([Kube.Ingress("app").WithPath("app.test", "/", "Prefix", "blue", 80), .. NginxScenario.Service("blue", [_blue]), .. NginxScenario.Service("green", [_green])]), default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        Assert.That((await Get()).Backend, Is.EqualTo("blue"));

        // Moved to green behind an allow-list alone: the host keeps no server block and its line carries the list
        // with the new target (ADR 0018), so the old workers, which read the new line before the reload lands, route
        // it to green only through the list: 403 for the loopback client, never green openly.
        var gated = RenderObjects([
            Kube.Ingress("app").WithAnnotation("nginx.ingress.kubernetes.io/whitelist-source-range", "192.0.2.0/24").WithPath("app.test", "/", "Prefix", "green", 80),
            .. NginxScenario.Service("blue", [_blue]), .. NginxScenario.Service("green", [_green])]);
        var applier = Applier(new LostReloadTrigger(), options: Fast with { ConfirmTimeout = TimeSpan.FromSeconds(30) });
        using var stop = new CancellationTokenSource();
        var pending = applier.ApplyAsync(gated, stop.Token);
        using var probe = new ConfigHashProbe(new Uri($"http://{_settings.StatusListen}/portico/config-hash"));
        string live = Path.Combine(_shared, "portico-endpoints.txt");
        string? version = await Eventually.ValueAsync(
            async () => await probe.ReadLiveHashAsync(default) is { } loaded && File.ReadLines(live).First().EndsWith(loaded, StringComparison.Ordinal)
                && File.ReadLines(live).Any(l => l.StartsWith("=app.test ", StringComparison.Ordinal) && l.Contains(";ia:c0000200/24", StringComparison.Ordinal)) ? loaded : null,
            v => v is not null);
        Assert.That(version, Is.Not.Null, "the workers loaded the host's new line");

        var during = await Get();
        Assert.That((during.StatusCode, during.Backend), Is.EqualTo((403, (string?)null)), "the new target only with its allow-list");
        Assert.That(pending.IsCompleted, Is.False, "still waiting for the reload");
        await stop.CancelAsync();
        Assert.That(async () => await pending, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Endpoints_arriving_for_a_route_with_access_control_never_reach_a_worker_without_it()
    {
        // A route whose Service has no ready endpoints yet answers 503, and carries its allow-list all the same.
        var ingress = Kube.Ingress("app").WithAnnotation("nginx.ingress.kubernetes.io/whitelist-source-range", "192.0.2.0/24").WithPath("app.test", "/", "Prefix", "blue", 80);
        var before = RenderObjects([ingress, Kube.Service("blue")]);
        Assert.That((await Applier(_nginx).ApplyAsync(before, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        Assert.That((await Get()).StatusCode, Is.EqualTo(403));

        // The endpoints arrive: the location already enforces the allow-list, so they are live data only (no reload,
        // no window in which a worker without the allow-list could reach them).
        var after = RenderObjects([ingress, .. NginxScenario.Service("blue", [_blue])]);
        Assert.That(after.Hash, Is.EqualTo(before.Hash), "nginx.conf unchanged");
        var applier = Applier(_nginx);
        Assert.That((await applier.ApplyAsync(after, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        Assert.That(applier.ReloadCount, Is.Zero);
        Assert.That((await Get()).StatusCode, Is.EqualTo(403), "denied as before, never served openly");
    }

    [Test]
    public async Task A_new_plain_HTTP_host_is_served_without_a_reload()
    {
        var blue = Render(_blue);
        Assert.That((await Applier(_nginx).ApplyAsync(blue, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));

        // A plain-HTTP host needs no server block (ADR 0014): nginx.conf stays the same, the default server routes
        // new.test from the live file. A reload signal would never land: none is sent.
        var withNewHost = Render(_blue, extra: [Kube.Ingress("new").WithPath("new.test", "/api", "Prefix", "green", 80), .. NginxScenario.Service("green", [_green])]);
        Assert.That(withNewHost.Hash, Is.EqualTo(blue.Hash), "nginx.conf unchanged");
        var applier = Applier(new LostReloadTrigger(), validate: true, options: Fast with { ConfirmTimeout = TimeSpan.FromSeconds(30) });
        var result = await applier.ApplyAsync(withNewHost, default);
        Assert.That((result.Outcome, applier.ReloadCount), Is.EqualTo((ApplyOutcome.Applied, 0)), result.Message);

        var routed = await Eventually.ValueAsync(() => ProxyClient.TryGetAsync(_settings.ListenHttp.Port, "new.test", "/api/orders"), r => r.Backend == "green");
        Assert.That((routed.StatusCode, routed.Backend), Is.EqualTo((200, "green")));
        Assert.That((await ProxyClient.GetAsync(_settings.ListenHttp.Port, "new.test", "/apix")).StatusCode, Is.EqualTo(404), "element-wise, and no default backend");
        Assert.That((await Get()).Backend, Is.EqualTo("blue"), "the other hosts as before");
    }

    [Test]
    public async Task Keys_are_private_and_old_versions_are_collected()
    {
        var applier = Applier(_nginx);
        var configs = new[] { Render(_blue), Render(_green), Render(_blue, withTls: true) };
        foreach (var config in configs)
        {
            Assert.That((await applier.ApplyAsync(config, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        }

        var directory = new VersionedConfigDirectory(_shared);
        var kept = Directory.GetDirectories(Path.Combine(_shared, VersionedConfigDirectory.VersionsDirectoryName)).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.That(kept, Is.EqualTo(new[] { VersionedConfigDirectory.VersionOf(configs[1]), VersionedConfigDirectory.VersionOf(configs[2]) }.Order(StringComparer.Ordinal)), "the running version and the one before it");

        string[] keys = Directory.GetFiles(directory.VersionDirectory(directory.ActiveVersion!), "*.key", SearchOption.AllDirectories);
        Assert.That(keys, Is.Not.Empty);
        Assert.That(keys.Select(File.GetUnixFileMode), Is.All.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task An_endpoint_change_is_applied_without_a_reload_and_traffic_moves()
    {
        var applier = Applier(_nginx);
        var blue = Render(_blue, service: "app");
        Assert.That((await applier.ApplyAsync(blue, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        Assert.That((await Get()).Backend, Is.EqualTo("blue"));
        int[] workers = WorkerPids();

        var green = Render(_green, service: "app");
        Assert.That(green.Hash, Is.EqualTo(blue.Hash), "same nginx.conf");
        var result = await applier.ApplyAsync(green, default);

        Assert.That((result.Outcome, result.LiveOnly, applier.ReloadCount), Is.EqualTo((ApplyOutcome.Applied, true, 1)), result.Message);
        Assert.That((await Get()).Backend, Is.EqualTo("green"), "confirmed means every worker has loaded the endpoints");
        Assert.That(WorkerPids(), Is.EqualTo(workers), "the same workers: nginx was not reloaded");
    }

    [Test]
    public async Task A_restarted_nginx_reads_the_endpoints_file_by_itself()
    {
        var applier = Applier(_nginx);
        Assert.That((await applier.ApplyAsync(Render(_blue, service: "app"), default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        Assert.That((await applier.ApplyAsync(Render(_green, service: "app"), default)).LiveOnly, Is.True);

        await _nginx.DisposeAsync();
        _nginx = new LocalProxyProcess(ProxyKind.Nginx, NginxProcess.Binary, _shared, NullLogger<LocalProxyProcess>.Instance);
        await _nginx.TriggerAsync(default);

        var answer = await Eventually.ValueAsync(() => ProxyClient.TryGetAsync(_settings.ListenHttp.Port, "app.test", "/"), r => r.StatusCode != 0);
        Assert.That((answer.StatusCode, answer.Backend), Is.EqualTo((200, "green")));
    }

    [Test]
    public async Task Endpoints_the_proxy_never_loads_are_reported_as_a_failure()
    {
        // The first start and reload get the usual timeout (a loaded machine can take more than 300 ms); the short one
        // belongs to an applier that takes over the running proxy, whose confirmations read once before any timeout.
        Assert.That((await Applier(_nginx).ApplyAsync(Render(_blue, service: "app"), default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        var applier = Applier(_nginx, options: Fast with { ConfirmTimeout = TimeSpan.FromMilliseconds(300) });
        var adopted = await applier.ApplyAsync(Render(_blue, service: "app"), default);
        Assert.That((adopted.Outcome, applier.ReloadCount), Is.EqualTo((ApplyOutcome.Applied, 0)), adopted.Message);
        await _nginx.DisposeAsync();

        var result = await applier.ApplyAsync(Render(_green, service: "app"), default);

        Assert.That((result.Outcome, result.LiveOnly), Is.EqualTo((ApplyOutcome.Failed, true)));
        Assert.That(result.Message, Does.Contain("did not load live data"));
        Assert.That(File.ReadAllText(Path.Combine(_shared, "portico-endpoints.txt")), Does.Contain($":{_green.Port}"), "the file is in place for when nginx comes back");
    }

    [Test]
    public async Task A_restarted_operator_with_the_same_config_does_not_reload()
    {
        var config = Render(_blue);
        Assert.That((await Applier(_nginx).ApplyAsync(config, default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));

        var restarted = Applier(new LostReloadTrigger());
        var result = await restarted.ApplyAsync(config, default);

        Assert.That((result.Outcome, restarted.ReloadCount), Is.EqualTo((ApplyOutcome.Applied, 0)), result.Message);
    }

    private SwappingConfigApplier Applier(IReloadTrigger trigger, bool validate = false, ApplierOptions? options = null)
    {
        var probe = new ConfigHashProbe(new Uri($"http://{_settings.StatusListen}/portico/config-hash"));
        return new SwappingConfigApplier(
            new VersionedConfigDirectory(_shared),
            validate ? new NginxConfigValidator(NginxProcess.Binary, _shared, TimeSpan.FromSeconds(30)) : null,
            trigger,
            probe,
            options ?? Fast,
            TimeProvider.System,
            new NginxEndpointsTransition());
    }

    /// <summary>
    /// app.test routed to a Service named after <paramref name="backend"/>, with a path of that name too (so that
    /// switching backends changes nginx.conf and needs a reload), or, with <paramref name="service"/>, to that
    /// Service (endpoint changes only, no reload).
    /// </summary>
    private RenderedConfig Render(TestBackend backend, bool withTls = false, string? service = null, IEnumerable<IKubernetesObject<V1ObjectMeta>>? extra = null)
    {
        service ??= backend.Name;
        // "/SERVICE-only" carries a policy of its own, so the host keeps one location per path (not one location
        // matched by Lua, ADR 0011) and switching the backend changes nginx.conf: these tests are about reloads.
        var ingress = Kube.Ingress("app").WithPath("app.test", "/", "Prefix", service, 80);
        var only = Kube.Ingress("app-only").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m").WithPath("app.test", "/" + service + "-only", "Prefix", service, 80);
        var objects = NginxScenario.Service(service, [backend]).Prepend(only).Prepend(ingress).Concat(extra ?? []).ToList();
        if (withTls)
        {
            var pem = TestCertificates.Create("app.test");
            ingress.WithTls("app-tls", "app.test");
            objects.Add(Kube.TlsSecret("app-tls", pem.Certificate, pem.Key));
        }

        var result = OfflinePipeline.Render(NginxScenario.ToManifestSet(objects), new BuildOptions { AllowLoopbackEndpoints = true }, _settings, ProxyKind.Nginx.CreateRenderer());
        Assert.That(result.HasErrors, Is.False, string.Join("\n", result.Diagnostics));
        return result.Config;
    }

    private RenderedConfig RenderObjects(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
    {
        var result = OfflinePipeline.Render(NginxScenario.ToManifestSet([.. objects]), new BuildOptions { AllowLoopbackEndpoints = true }, _settings, ProxyKind.Nginx.CreateRenderer());
        Assert.That(result.HasErrors, Is.False, string.Join("\n", result.Diagnostics));
        return result.Config;
    }

    private static RenderedConfig WithFile(RenderedConfig config, string path, Func<string, string> edit)
    {
        var files = config.Files.Select(f => f.Path == path ? f with { Content = Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(f.Content))) } : f).ToImmutableArray();
        return config with { Files = files, Hash = RenderedConfig.HashOf(files) };
    }

    /// <summary>The nginx master's worker processes (children of the pid in nginx.pid), sorted.</summary>
    private int[] WorkerPids()
    {
        string master = File.ReadAllText(Path.Combine(_shared, "nginx.pid")).Trim();
        return [.. Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Where(pid => File.Exists($"/proc/{pid}/stat") && ParentOf(pid!) == master)
            .Select(pid => int.Parse(pid!, System.Globalization.CultureInfo.InvariantCulture))
            .Order()];
    }

    private static string? ParentOf(string pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its closing parenthesis.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
        }
        catch (IOException)
        {
            return null;
        }
    }

    private Task<ProxyResponse> BackendAsync(string expected) => Eventually.ValueAsync(Get, r => r.Backend == expected);

    private Task<ProxyResponse> Get() => ProxyClient.GetAsync(_settings.ListenHttp.Port, "app.test", "/");

    /// <summary>A reload request that goes nowhere (a sidecar that missed the signal).</summary>
    private sealed class LostReloadTrigger : IReloadTrigger
    {
        public Task<bool> TriggerAsync(CancellationToken cancellationToken) => Task.FromResult(true);
    }
}
