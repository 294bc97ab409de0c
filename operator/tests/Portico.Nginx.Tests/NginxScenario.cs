using System.Collections.Immutable;
using System.Text;
using Portico.Core.Building;
using Portico.Core.Manifests;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;
using k8s;
using k8s.Models;

namespace Portico.Nginx.Tests;

/// <summary>
/// One world served by a real nginx: test backends started first, manifests built around their ports, rendered
/// through the same pipeline as <c>portico render</c> (loopback endpoints allowed, listeners on free 127.0.0.1
/// ports), and nginx started on the result. Test classes start one in [OneTimeSetUp] and share it: every test only
/// reads from it, so tests stay independent. Dispose stops nginx and the backends and removes the temp directory.
/// </summary>
internal sealed class NginxScenario : IAsyncDisposable
{
    private const int StartAttempts = 3;

    private readonly ImmutableDictionary<string, TestBackend> _backends;

    private NginxScenario(ImmutableDictionary<string, TestBackend> backends, OfflineResult result, ProxySettings settings, NginxProcess nginx)
    {
        _backends = backends;
        Result = result;
        Settings = settings;
        Nginx = nginx;
    }

    public OfflineResult Result { get; }

    public ProxySettings Settings { get; }

    public NginxProcess Nginx { get; }

    public int HttpPort => Settings.ListenHttp.Port;

    public int HttpsPort => Settings.ListenHttps.Port;

    /// <summary>Every rendered file as text (certificates and keys included).</summary>
    public string RenderedText => string.Join("\n", Result.Config.Files.Select(f => $"### {f.Path}\n{Encoding.UTF8.GetString(f.Content)}"));

    public TestBackend Backend(string name) => _backends[name];

    /// <summary>
    /// Starts the named backends, builds the objects from them, renders and serves. With
    /// <paramref name="notYetReloaded"/>, nginx runs the configuration rendered without the objects it selects, but
    /// with the live file of all of them: what nginx serves while the reload that brings those objects is in flight
    /// (their plain-HTTP hosts then go through the default server's Lua routing).
    /// </summary>
    public static Task<NginxScenario> StartAsync(
        IEnumerable<string> backendNames,
        Func<IReadOnlyDictionary<string, TestBackend>, IEnumerable<IKubernetesObject<V1ObjectMeta>>> objects,
        BuildOptions? options = null,
        Func<ProxySettings, ProxySettings>? configure = null,
        Func<IKubernetesObject<V1ObjectMeta>, bool>? notYetReloaded = null) =>
        StartAsync(
            backendNames,
            (Func<IReadOnlyDictionary<string, TestBackend>, ManifestSet>)(backends => ToManifestSet(objects(backends))),
            options,
            configure,
            notYetReloaded is null ? null : set => new ManifestSet([.. set.Objects.Where(o => !notYetReloaded(o.Value))], set.Diagnostics));

    public static async Task<NginxScenario> StartAsync(
        IEnumerable<string> backendNames,
        Func<IReadOnlyDictionary<string, TestBackend>, ManifestSet> manifests,
        BuildOptions? options = null,
        Func<ProxySettings, ProxySettings>? configure = null,
        Func<ManifestSet, ManifestSet>? running = null)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var started = new List<TestBackend>();
        try
        {
            started.AddRange(await Task.WhenAll(backendNames.Distinct().Select(name => TestBackend.StartAsync(name))));
            var backends = started.ToImmutableDictionary(b => b.Name);
            var set = manifests(backends);
            var buildOptions = (options ?? new BuildOptions()) with { AllowLoopbackEndpoints = true };
            var renderer = ProxyKind.Nginx.CreateRenderer();
            for (int attempt = 1; ; attempt++)
            {
                int[] ports = FreePorts.Take(3);
                var settings = new ProxySettings
                {
                    ListenHttp = ListenAddress.Parse($"127.0.0.1:{ports[0]}"),
                    ListenHttps = ListenAddress.Parse($"127.0.0.1:{ports[1]}"),
                    StatusListen = ListenAddress.Parse($"127.0.0.1:{ports[2]}"),
                    AccessLog = false,
                    WorkerProcesses = 1,
                    WorkerConnections = 256,
                };
                settings = configure?.Invoke(settings) ?? settings;
                Assert.That(settings.Validate(), Is.Empty, "test proxy settings");
                var portOptions = buildOptions with { HttpsRedirectPort = ports[1] };
                var result = OfflinePipeline.Render(set, portOptions, settings, renderer);
                var served = running is null
                    ? result.Config
                    : OfflinePipeline.Render(running(set), portOptions, settings, renderer).Config with { Live = result.Config.Live, LiveHash = result.Config.LiveHash };
                try
                {
                    var nginx = await NginxProcess.StartAsync(served, settings.StatusListen.Port);
                    return new NginxScenario(backends, result, settings, nginx);
                }
                catch (NginxStartException e) when (e.AddressInUse && attempt < StartAttempts)
                {
                    // Another process took one of the free ports in the meantime: render again on fresh ones.
                    TestContext.Progress.WriteLine($"nginx could not bind (attempt {attempt}), retrying on new ports");
                }
            }
        }
        catch
        {
            await Task.WhenAll(started.Select(b => b.DisposeAsync().AsTask()));
            throw;
        }
    }

    /// <summary>Wraps objects built in code as if they had been read from a manifest file.</summary>
    public static ManifestSet ToManifestSet(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) =>
        new([.. objects.Select((o, i) => new ManifestObject(o, "test-objects", i + 1))], []);

    /// <summary>A Service "NAME" in default with one port, and one EndpointSlice per backend (each backend has its own port).</summary>
    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Service(string name, IEnumerable<TestBackend> backends, string? portName = null, int servicePort = 80)
    {
        yield return Kube.Service(name, "default", (portName, servicePort));
        foreach (var backend in backends)
        {
            yield return Kube.Slice(name, portName, backend.Port, ["127.0.0.1"], name: $"{name}-{backend.Name}");
        }
    }

    public Task<ProxyResponse> GetAsync(string host, string pathAndQuery = "/") => ProxyClient.GetAsync(HttpPort, host, pathAndQuery);

    public Task<ProxyResponse> GetTlsAsync(string host, string pathAndQuery = "/", string? sni = null) =>
        ProxyClient.GetTlsAsync(HttpsPort, host, pathAndQuery, sni);

    public Task<TlsHandshakeResult> HandshakeAsync(string? sni) => ProxyClient.HandshakeAsync(HttpsPort, sni);

    public async ValueTask DisposeAsync()
    {
        try
        {
            Nginx.Dispose();
        }
        finally
        {
            await Task.WhenAll(_backends.Values.Select(b => b.DisposeAsync().AsTask()));
        }
    }

    public override string ToString() => $"{Nginx}; backends {string.Join(", ", _backends.Values)}";
}
