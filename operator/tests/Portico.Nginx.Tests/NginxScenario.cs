using System.Collections.Immutable;
using System.Text;
using Portico.Core.Building;
using Portico.Core.Explaining;
using Portico.Core.Manifests;
using Portico.Core.Model;
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

    private NginxScenario(ImmutableDictionary<string, TestBackend> backends, OfflineResult result, ProxySettings settings, NginxProcess nginx, bool explainChecked)
    {
        _backends = backends;
        ExplainChecked = explainChecked;
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
    /// (their plain-HTTP hosts then go through the default server's Lua routing). Every request is checked against
    /// `portico explain` unless <paramref name="explainChecked"/> is false.
    /// </summary>
    public static Task<NginxScenario> StartAsync(
        IEnumerable<string> backendNames,
        Func<IReadOnlyDictionary<string, TestBackend>, IEnumerable<IKubernetesObject<V1ObjectMeta>>> objects,
        BuildOptions? options = null,
        Func<ProxySettings, ProxySettings>? configure = null,
        Func<IKubernetesObject<V1ObjectMeta>, bool>? notYetReloaded = null,
        bool explainChecked = true) =>
        StartAsync(
            backendNames,
            (Func<IReadOnlyDictionary<string, TestBackend>, ManifestSet>)(backends => ToManifestSet(objects(backends))),
            options,
            configure,
            notYetReloaded is null ? null : set => new ManifestSet([.. set.Objects.Where(o => !notYetReloaded(o.Value))], set.Diagnostics),
            explainChecked);

    public static async Task<NginxScenario> StartAsync(
        IEnumerable<string> backendNames,
        Func<IReadOnlyDictionary<string, TestBackend>, ManifestSet> manifests,
        BuildOptions? options = null,
        Func<ProxySettings, ProxySettings>? configure = null,
        Func<ManifestSet, ManifestSet>? running = null,
        bool explainChecked = true)
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
                    return new NginxScenario(backends, result, settings, nginx, explainChecked);
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

    /// <summary>
    /// Reloads nginx with the configuration of every object (what <see cref="Result"/> holds), as the operator does once
    /// a change is rendered: for scenarios started with some objects not yet reloaded. Returns once it serves.
    /// </summary>
    public Task ReloadAsync() => Nginx.ReloadAsync(Result.Config);

    /// <summary>
    /// Reloads nginx with this configuration and its live file's lines (the version line aside) edited by
    /// <paramref name="edit"/>, under a version of their own: what the workers do with lines the operator would not
    /// write. Returns the file as written.
    /// </summary>
    public async Task<string> ReloadWithLiveLinesAsync(Func<IEnumerable<string>, IEnumerable<string>> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var config = Result.Config;
        var live = config.Live.Single();
        string body = string.Join('\n', edit(Encoding.ASCII.GetString(live.Content).Split('\n').Skip(1)));
        string version = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(body)));
        string text = $"# portico endpoints {version}\n" + body;
        await Nginx.ReloadAsync(config with { Live = [live with { Content = Encoding.ASCII.GetBytes(text) }], LiveHash = version });
        return text;
    }

    /// <summary>
    /// Any request to the plain-HTTP listener, with headers and a body; not checked against `portico explain`, which
    /// answers for routes, not for what a route's policy does with one request.
    /// </summary>
    public Task<ProxyResponse> SendAsync(string host, string pathAndQuery, string method = "GET", IReadOnlyDictionary<string, string>? headers = null, string? body = null) =>
        ProxyClient.SendAsync(new ProxyRequest(HttpPort, host, pathAndQuery) { Method = method, Headers = headers ?? new Dictionary<string, string>(), Body = body });

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

    /// <summary>A plain-HTTP request; what nginx answered is checked against `portico explain`'s verdict (<see cref="AssertExplained"/>).</summary>
    public async Task<ProxyResponse> GetAsync(string host, string pathAndQuery = "/")
    {
        var response = await ProxyClient.GetAsync(HttpPort, host, pathAndQuery);
        AssertExplained(Uri.UriSchemeHttp, host, pathAndQuery, response);
        return response;
    }

    /// <summary>An HTTPS request; what nginx answered is checked against `portico explain`'s verdict (<see cref="AssertExplained"/>).</summary>
    public async Task<ProxyResponse> GetTlsAsync(string host, string pathAndQuery = "/", string? sni = null)
    {
        var response = await ProxyClient.GetTlsAsync(HttpsPort, host, pathAndQuery, sni);
        AssertExplained(Uri.UriSchemeHttps, host, pathAndQuery, response);
        return response;
    }

    /// <summary>
    /// explain checked against reality (issue 11), in one place for every suite: the verdict the model gives for the
    /// request must be what nginx did. Forward: a backend answered and its address is one of the explained endpoints;
    /// respond and redirect: nginx answered itself with the explained status. Scenarios whose served state departs
    /// from the model on purpose (endpoints changed at run time) start with explainChecked: false.
    /// </summary>
    private void AssertExplained(string scheme, string host, string pathAndQuery, ProxyResponse response)
    {
        if (!ExplainChecked)
        {
            return;
        }

        int queryAt = pathAndQuery.IndexOfAny(['?', '#']);
        string path = queryAt < 0 ? pathAndQuery : pathAndQuery[..queryAt];
        var request = new ExplainRequest(scheme, ExplainRequest.NormalizeHost(host), path, "GET", []);
        var verdict = RequestExplainer.Explain(Result.Model, request);
        string said = $"explain {scheme}://{host}{pathAndQuery}: {verdict.Action} {verdict.Status} {verdict.Backend?.Service} via {verdict.Host}|{verdict.PathType} {verdict.Path}; nginx answered {response.StatusCode} from {response.Backend ?? "nginx itself"}";
        // A weighted split: explain names the heaviest backend; nginx may pick any share (one without ready
        // endpoints answers 503 itself).
        var split = verdict.Action == ExplainedAction.Forward
            ? Result.Model.VirtualHosts.SelectMany(v => v.EffectiveRoutes).Append(Result.Model.DefaultBackend).OfType<Route>()
                .Where(r => r.Source == verdict.Ingress && r.Field == verdict.Field).Select(r => r.Action).OfType<SplitAction>().FirstOrDefault()
            : null;
        if (split is not null)
        {
            var shares = Result.Model.Upstreams.Where(u => split.Backends.Any(b => b.UpstreamName == u.Name)).ToList();
            if (response.Backend is null)
            {
                Assert.That((response.StatusCode, shares.Any(u => u.Endpoints.IsEmpty)), Is.EqualTo((503, true)), said);
            }
            else
            {
                Assert.That(shares.SelectMany(u => u.Endpoints).Select(e => e.HostPort), Does.Contain($"127.0.0.1:{_backends[response.Backend].Port}"), said);
            }
        }
        else if (verdict.Action == ExplainedAction.Forward)
        {
            Assert.That(response.Backend, Is.Not.Null, said);
            Assert.That(verdict.Backend!.Endpoints, Does.Contain($"127.0.0.1:{_backends[response.Backend!].Port}"), said);
        }
        else
        {
            Assert.That((response.StatusCode, response.Backend), Is.EqualTo((verdict.Status!.Value, (string?)null)), said);
        }
    }

    /// <summary>Whether every request is checked against `portico explain` (on unless a suite changes what is served behind the model's back).</summary>
    public bool ExplainChecked { get; }

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
