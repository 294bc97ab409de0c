using System.Collections.Immutable;
using System.Text;
using Portico.Core.Applying;
using Portico.Core.Applying.Envoy;
using Portico.Core.Building;
using Portico.Core.Manifests;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;
using Portico.Envoy.Schema;
using Portico.Envoy.Tests.Support;
using Portico.TestSupport;

namespace Portico.Envoy.Tests;

/// <summary>
/// The Envoy applier (main's swapping applier with Envoy's pieces: the swap of <c>current</c> is the reload, the admin
/// API confirms) against <see cref="EnvoyAdminDouble"/>, which reads the files behind <c>current</c> as Envoy does.
/// Time is a manual clock: the confirmation's polling and timeout advance only when the applier waits.
/// </summary>
public sealed class EnvoyApplierTests
{
    private static readonly ApplierOptions Options = new()
    {
        ConfirmTimeout = TimeSpan.FromSeconds(2),
        ConfirmPollInterval = TimeSpan.FromMilliseconds(50),
        MinReloadInterval = TimeSpan.Zero,
    };

    private static readonly Lazy<RenderedConfig> Examples = new(() => EnvoyCases.Render("examples").Config);
    private static readonly Lazy<RenderedConfig> Tls = new(() => EnvoyCases.Render("tls-sni-default-cert").Config);

    private string _root = null!;
    private VersionedConfigDirectory _directory = null!;
    private ManualTimeProvider _clock = null!;
    private readonly List<IAsyncDisposable> _disposables = [];

    [SetUp]
    public void CreateRoot()
    {
        _root = Directory.CreateTempSubdirectory("portico-envoy-applier-").FullName;
        _directory = new VersionedConfigDirectory(_root);
        _clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public async Task RemoveRootAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        _disposables.Clear();
        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task A_new_version_is_swapped_in_and_confirmed_through_the_admin_api()
    {
        var (envoy, probe, applier) = await StartAsync(Examples.Value);

        var result = await ApplyAsync(applier, Tls.Value);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
        Assert.That(_directory.ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(Tls.Value)));
        Assert.That(envoy.Loads, Is.EqualTo(2), "started on the first version, then read the files once after the swap");
        Assert.That(envoy.ListenersVersion, Is.EqualTo(EnvoyRenderer.VersionOf(Tls.Value[EnvoyRenderer.ListenersFile]!)));
        Assert.That(envoy.ClustersVersion, Is.EqualTo(EnvoyRenderer.VersionOf(Tls.Value[EnvoyRenderer.ClustersFile]!)));
        Assert.That(await probe.ReadAppliedHashAsync(CancellationToken.None), Is.EqualTo(Tls.Value.Hash));
        Assert.That(Directory.Exists(_directory.VersionDirectory(VersionedConfigDirectory.VersionOf(Examples.Value))), Is.True, "the previous version is kept to roll back to");
        Assert.That(applier.ReloadCount, Is.EqualTo(1));
    }

    [Test]
    public async Task The_config_hash_is_the_hash_over_the_staged_files()
    {
        var (_, probe, _) = await StartAsync(Examples.Value);
        Assert.That(Examples.Value.Hash, Is.EqualTo(RenderedConfig.HashOf(Examples.Value.Files)));
        Assert.That(await probe.ReadAppliedHashAsync(CancellationToken.None), Is.EqualTo(Examples.Value.Hash));
    }

    [Test]
    public async Task The_first_apply_after_envoy_started_on_the_same_configuration_swaps_nothing()
    {
        var (envoy, _, applier) = await StartAsync(Examples.Value);
        string? link = LinkTarget();

        var result = await ApplyAsync(applier, Examples.Value);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
        Assert.That(result.Message, Does.Contain("already serves"));
        Assert.That(applier.ReloadCount, Is.Zero);
        Assert.That(LinkTarget(), Is.EqualTo(link));
        Assert.That(envoy.Loads, Is.EqualTo(1));
    }

    [Test]
    public async Task A_restarted_operator_with_the_same_configuration_does_not_reload()
    {
        var (envoy, _, applier) = await StartAsync(Examples.Value);
        Assert.That((await ApplyAsync(applier, Tls.Value)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        string? link = LinkTarget();
        var versions = Directory.GetDirectories(Path.Combine(_root, VersionedConfigDirectory.VersionsDirectoryName)).Order().ToList();

        // The operator restarts: a new applier and probe on the same shared directory; Envoy keeps running.
        using var probe = new EnvoyAdminProbe(envoy.Endpoint, new VersionedConfigDirectory(_root));
        var restarted = EnvoyLocalMode.CreateApplier(new VersionedConfigDirectory(_root), probe, null, Options, _clock);
        var result = await ApplyAsync(restarted, Tls.Value);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
        Assert.That(result.Message, Does.Contain("already serves"));
        Assert.That(restarted.ReloadCount, Is.Zero);
        Assert.That(LinkTarget(), Is.EqualTo(link), "current was not swapped");
        Assert.That(envoy.Loads, Is.EqualTo(2), "Envoy read nothing again");
        Assert.That(Directory.GetDirectories(Path.Combine(_root, VersionedConfigDirectory.VersionsDirectoryName)).Order(), Is.EqualTo(versions));
    }

    [Test]
    public async Task An_envoy_that_never_picks_up_the_new_version_gets_the_previous_one_back()
    {
        var (envoy, probe, applier) = await StartAsync(Examples.Value);
        string previous = VersionedConfigDirectory.VersionOf(Examples.Value);
        envoy.PicksUpChanges = false;

        var result = await ApplyAsync(applier, Tls.Value);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.RolledBack), result.Message);
        Assert.That(result.Message, Does.Contain("did not serve config " + Tls.Value.Hash[..12]).And.Contain("restored " + previous));
        Assert.That(_directory.ActiveVersion, Is.EqualTo(previous), "current points at the previous version again");
        Assert.That(Directory.Exists(_directory.VersionDirectory(VersionedConfigDirectory.VersionOf(Tls.Value))), Is.False, "the refused version is gone");
        Assert.That(await probe.ReadAppliedHashAsync(CancellationToken.None), Is.EqualTo(Examples.Value.Hash));

        // Once Envoy reads its files again, the same configuration goes through.
        envoy.PicksUpChanges = true;
        var retried = await ApplyAsync(applier, Tls.Value);
        Assert.That(retried.Outcome, Is.EqualTo(ApplyOutcome.Applied), retried.Message);
    }

    [Test]
    public async Task The_confirmation_waits_for_the_configured_timeout_and_no_longer()
    {
        var (envoy, _, applier) = await StartAsync(Examples.Value);
        envoy.PicksUpChanges = false;
        var started = _clock.GetUtcNow();

        var result = await ApplyAsync(applier, Tls.Value);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.RolledBack));
        Assert.That(_clock.GetUtcNow() - started, Is.EqualTo(Options.ConfirmTimeout));
        int polls = envoy.Requests.Count(r => r.Contains("mask=version_info", StringComparison.Ordinal) && !r.Contains("resource=", StringComparison.Ordinal));
        Assert.That(polls, Is.EqualTo(1 + 1 + (int)(Options.ConfirmTimeout / Options.ConfirmPollInterval)), "the check before staging, then one poll per interval, both ends included");
    }

    [Test]
    public async Task A_change_to_routes_only_confirms_although_envoy_keeps_its_listener_and_cluster_versions()
    {
        var before = EnvoyCases.Render("named-ports").Config;
        var after = EnvoyCases.Render("unavailable").Config;
        Assert.That(EnvoyRenderer.VersionOf(after[EnvoyRenderer.ListenersFile]!), Is.EqualTo(EnvoyRenderer.VersionOf(before[EnvoyRenderer.ListenersFile]!)), "test setup: same listeners");
        var (envoy, _, applier) = await StartAsync(before);
        string listenersVersion = envoy.ListenersVersion;

        var result = await ApplyAsync(applier, after);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
        Assert.That(envoy.ListenersVersion, Is.EqualTo(listenersVersion), "Envoy applied no listener change, so it kept the LDS version");
        Assert.That(envoy.RouteVersions["http"], Is.EqualTo(EnvoyRenderer.VersionOf(after[EnvoyRenderer.HttpRoutesFile]!)));
    }

    [Test]
    public async Task A_policy_added_edited_and_removed_is_confirmed_through_the_admin_api_each_time()
    {
        var open = Render(Shop(policy: null));
        var limited = Render(Shop("""
              rateLimit: {requestsPerSecond: 5, burst: 10}
              timeouts: {connect: 2s}
            """));
        var edited = Render(Shop("""
              rateLimit: {requestsPerSecond: 7, burst: 10}
              timeouts: {connect: 2s}
            """));
        Assert.That(Text(limited, EnvoyRenderer.ListenersFile), Does.Contain("local_ratelimit"), "test setup: the policy adds a filter to the chain");
        Assert.That(Text(limited, EnvoyRenderer.ClustersFile), Does.Contain("default_shop_80/"), "test setup: the connect timeout makes a cluster variant");
        Assert.That(EnvoyRenderer.VersionOf(edited[EnvoyRenderer.ListenersFile]!), Is.EqualTo(EnvoyRenderer.VersionOf(limited[EnvoyRenderer.ListenersFile]!)), "test setup: an edited limit changes routes only");
        var (envoy, _, applier) = await StartAsync(open);

        var added = await ApplyAsync(applier, limited);
        Assert.That(added.Outcome, Is.EqualTo(ApplyOutcome.Applied), added.Message);
        Assert.That(envoy.ListenersVersion, Is.EqualTo(EnvoyRenderer.VersionOf(limited[EnvoyRenderer.ListenersFile]!)));
        Assert.That(envoy.ClustersVersion, Is.EqualTo(EnvoyRenderer.VersionOf(limited[EnvoyRenderer.ClustersFile]!)));

        var changed = await ApplyAsync(applier, edited);
        Assert.That(changed.Outcome, Is.EqualTo(ApplyOutcome.Applied), changed.Message);
        Assert.That(envoy.RouteVersions["http"], Is.EqualTo(EnvoyRenderer.VersionOf(edited[EnvoyRenderer.HttpRoutesFile]!)), "the new limit is in the routes Envoy runs");

        var removed = await ApplyAsync(applier, open);
        Assert.That(removed.Outcome, Is.EqualTo(ApplyOutcome.Applied), removed.Message);
        Assert.That(envoy.ClustersVersion, Is.EqualTo(EnvoyRenderer.VersionOf(open[EnvoyRenderer.ClustersFile]!)), "the cluster variant is gone");
        Assert.That(_directory.ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(open)));
    }

    [Test]
    public async Task A_policy_whose_filter_envoy_refuses_is_rolled_back_to_the_open_configuration_it_replaced()
    {
        var open = Render(Shop(policy: null));
        var limited = Render(Shop("""
              ipAllowList: [192.0.2.0/24]
            """));
        var (envoy, _, applier) = await StartAsync(open);
        envoy.RefusedListeners.Add("http");

        var result = await ApplyAsync(applier, limited);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.RolledBack), result.Message);
        Assert.That(_directory.ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(open)), "the previous version is active again, and the operator reports the failure");
    }

    [Test]
    public async Task Removing_the_https_listener_confirms_while_its_route_configuration_is_still_listed()
    {
        var plain = EnvoyCases.Render("paths").Config;
        var (envoy, _, applier) = await StartAsync(Tls.Value);

        var result = await ApplyAsync(applier, plain);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
        Assert.That(envoy.RouteVersions.Keys, Is.EquivalentTo(new[] { "http", "https" }), "the old HTTPS routes are still listed (drain)");
    }

    [Test]
    public async Task A_configuration_without_clusters_confirms_from_the_start_and_after_clusters_are_removed()
    {
        var empty = Render("""
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: lonely, namespace: default}
            spec:
              ingressClassName: portico
              rules: [{host: lonely.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: missing, port: {number: 80}}}}]}}]
            """);
        Assert.That(new EnvoyParsed(empty).Clusters, Is.Empty, "test setup: no cluster");
        var (envoy, _, applier) = await StartAsync(empty);
        Assert.That(envoy.ClustersVersion, Is.Empty, "Envoy applied no cluster, so it reports no CDS version");

        Assert.That((await ApplyAsync(applier, empty)).Message, Does.Contain("already serves"));
        Assert.That((await ApplyAsync(applier, Examples.Value)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        var back = await ApplyAsync(applier, empty);
        Assert.That(back.Outcome, Is.EqualTo(ApplyOutcome.Applied), back.Message);
        Assert.That(envoy.ClustersVersion, Is.EqualTo(EnvoyRenderer.VersionOf(empty[EnvoyRenderer.ClustersFile]!)), "removing clusters is a change");
    }

    [Test]
    public async Task A_listener_envoy_refuses_is_not_confirmed_even_when_another_one_applied()
    {
        var (envoy, _, applier) = await StartAsync(Examples.Value);
        envoy.RefusedListeners.Add("https");

        var result = await ApplyAsync(applier, Tls.Value);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.RolledBack), result.Message);
        Assert.That(_directory.ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(Examples.Value)));
    }

    [Test]
    public async Task A_listener_still_warming_is_confirmed_once_it_is_warm()
    {
        var (envoy, _, applier) = await StartAsync(Examples.Value);
        envoy.WarmingListeners.Add("https");

        var result = await _clock.RunAsync(applier.ApplyAsync(Tls.Value, CancellationToken.None), Options.ConfirmPollInterval, step =>
        {
            if (step == 5)
            {
                envoy.WarmingListeners.Clear();
            }
        });

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
        Assert.That(_clock.GetUtcNow() - new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), Is.EqualTo(6 * Options.ConfirmPollInterval));
    }

    [Test]
    public async Task A_discovery_file_envoy_cannot_parse_is_rolled_back_when_nothing_checked_it()
    {
        var (envoy, _, applier) = await StartAsync(Examples.Value);
        var broken = Replace(Tls.Value, EnvoyRenderer.ListenersFile, "\"resources\": [", "\"resources\": [ nonsense");

        var result = await ApplyAsync(applier, broken);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.RolledBack), result.Message);
        Assert.That(envoy.RefusedFiles, Is.GreaterThan(0));
        Assert.That(_directory.ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(Examples.Value)));
    }

    [Test]
    public async Task The_schema_check_refuses_a_broken_version_before_envoy_sees_it()
    {
        var validator = EnvoyLocalMode.Validator(new EnvoySchemaValidator(), envoyBinary: null, TimeSpan.FromSeconds(10));
        var (envoy, _, applier) = await StartAsync(Examples.Value, validator);
        var broken = Replace(Tls.Value, EnvoyRenderer.ClustersFile, "\"lb_policy\": \"ROUND_ROBIN\"", "\"lb_policy\": \"ROUND_ROBINS\"");

        var result = await ApplyAsync(applier, broken);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Invalid), result.Message);
        Assert.That(result.Message, Does.Contain("envoy schema check rejected").And.Contain("cds.json").And.Contain("ROUND_ROBINS"));
        Assert.That(_directory.ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(Examples.Value)));
        Assert.That(Directory.Exists(_directory.VersionDirectory(VersionedConfigDirectory.VersionOf(broken))), Is.False);
        Assert.That(envoy.Loads, Is.EqualTo(1));
        Assert.That((await ApplyAsync(applier, Tls.Value)).Outcome, Is.EqualTo(ApplyOutcome.Applied), "a valid version passes the same check");
    }

    [Test]
    public async Task The_probe_answers_the_version_envoy_runs_even_when_it_is_not_current()
    {
        var (envoy, probe, _) = await StartAsync(Examples.Value);
        envoy.PicksUpChanges = false;
        _directory.Activate(_directory.Stage(Tls.Value));

        Assert.That(await probe.ReadAppliedHashAsync(CancellationToken.None), Is.EqualTo(Examples.Value.Hash));
    }

    [Test]
    public async Task The_probe_answers_null_when_no_envoy_answers_or_it_runs_no_staged_version()
    {
        using var nobody = new EnvoyAdminProbe(new Uri($"http://127.0.0.1:{Portico.TestSupport.Nginx.FreePorts.Take()}/"), _directory);
        Assert.That(await nobody.ReadAppliedHashAsync(CancellationToken.None), Is.Null);

        var (envoy, probe, _) = await StartAsync(Examples.Value);
        envoy.PicksUpChanges = false;
        _directory.Activate(_directory.Stage(Tls.Value));
        Directory.Delete(_directory.VersionDirectory(VersionedConfigDirectory.VersionOf(Examples.Value)), recursive: true);
        Assert.That(await probe.ReadAppliedHashAsync(CancellationToken.None), Is.Null, "what Envoy runs is no longer on disk");
    }

    [Test]
    public void The_probe_refuses_an_admin_endpoint_off_loopback()
    {
        Assert.Throws<ArgumentException>(() => _ = new EnvoyAdminProbe(new Uri("http://10.0.0.1:9901/"), _directory));
        using var probe = EnvoyAdminProbe.For(new ProxySettings { StatusListen = ListenAddress.Parse("[::1]:9901") }, _directory);
        Assert.That(probe.AdminEndpoint, Is.EqualTo(new Uri("http://[::1]:9901/")));
    }

    [Test]
    public async Task Envoy_is_not_signalled_the_swap_is_the_reload()
    {
        Assert.That(await NoReloadTrigger.Instance.TriggerAsync(CancellationToken.None), Is.True);
        var start = EnvoyLocalMode.StartInfo("/usr/local/bin/envoy", _root);
        Assert.That(start.WorkingDirectory, Is.EqualTo(_root));
        Assert.That(start.ArgumentList, Is.EqualTo(new[] { "-c", "current/envoy.json", "--disable-hot-restart", "--log-level", "warn" }));
        Assert.That(EnvoyLocalMode.ActivateInitial(_directory, Examples.Value), Is.True);
        Assert.That(EnvoyLocalMode.ActivateInitial(_directory, Tls.Value), Is.False, "a version is active already");
        Assert.That(_directory.ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(Examples.Value)));
    }

    private async Task<(EnvoyAdminDouble Envoy, EnvoyAdminProbe Probe, SwappingConfigApplier Applier)> StartAsync(RenderedConfig initial, IConfigValidator? validator = null)
    {
        Assert.That(EnvoyLocalMode.ActivateInitial(_directory, initial), Is.True);
        var envoy = await EnvoyAdminDouble.StartAsync(_root);
        _disposables.Add(envoy);
        var probe = new EnvoyAdminProbe(envoy.Endpoint, _directory);
        _disposables.Add(new DisposeOnTeardown(probe));
        return (envoy, probe, EnvoyLocalMode.CreateApplier(_directory, probe, validator, Options, _clock));
    }

    private Task<ApplyResult> ApplyAsync(SwappingConfigApplier applier, RenderedConfig config) =>
        _clock.RunAsync(applier.ApplyAsync(config, CancellationToken.None), Options.ConfirmPollInterval);

    private string? LinkTarget() => new FileInfo(_directory.CurrentLink).LinkTarget;

    private static RenderedConfig Render(string yaml)
    {
        var renderer = ProxyKind.Envoy.CreateRenderer();
        return OfflinePipeline.Render(ManifestReader.ReadString(yaml), new BuildOptions(), new ProxySettings(), renderer).Config;
    }

    /// <summary>Ingress "shop" with its Service and endpoints, and when <paramref name="policy"/> is set an IngressPolicy with that spec (indented YAML).</summary>
    private static string Shop(string? policy) => """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: shop, namespace: default}
        spec:
          ingressClassName: portico
          rules: [{host: shop.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: shop, namespace: default}
        spec: {ports: [{port: 80, targetPort: 8080}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: shop-1, namespace: default, labels: {kubernetes.io/service-name: shop}}
        addressType: IPv4
        ports: [{port: 8080}]
        endpoints: [{addresses: [10.0.0.1], conditions: {ready: true}}, {addresses: [10.0.0.2], conditions: {ready: true}}]
        """ + (policy is null ? string.Empty : $$"""

        ---
        apiVersion: portico.dev/v1alpha1
        kind: IngressPolicy
        metadata: {name: shop-policy, namespace: default, uid: 5d7c3f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f}
        spec:
          targetRef: {group: networking.k8s.io, kind: Ingress, name: shop}
        {{policy}}
        """);

    private static string Text(RenderedConfig config, string path) => Encoding.UTF8.GetString(config[path]!.Content);

    /// <summary>A copy of <paramref name="config"/> with one file's text changed, hashed as the files are.</summary>
    private static RenderedConfig Replace(RenderedConfig config, string path, string find, string replace)
    {
        string text = Encoding.UTF8.GetString(config[path]!.Content);
        Assert.That(text, Does.Contain(find), "test setup");
        var files = config.Files.Select(f => f.Path == path ? f with { Content = Encoding.UTF8.GetBytes(text.Replace(find, replace, StringComparison.Ordinal)) } : f).ToImmutableArray();
        return config with { Files = files, Hash = RenderedConfig.HashOf(files) };
    }

    private sealed class DisposeOnTeardown(IDisposable disposable) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            disposable.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
