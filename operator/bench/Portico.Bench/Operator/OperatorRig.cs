using System.Diagnostics;
using System.Globalization;
using Portico.Core.Applying;
using Portico.TestApiServer;
using Portico.TestSupport.Nginx;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.Bench.Operator;

/// <summary>
/// One operator under benchmark, run as in the pod but on loopback: the test API server (in this process) seeded with
/// <see cref="BenchWorld"/>; the real `portico run --kubeconfig` as a child process (so its memory is its own);
/// the nginx "sidecar" started by this process on the shared directory once the first configuration is there
/// (as the sidecar container's command does), reloaded by the operator with SIGHUP through the pid file; four real
/// HTTP backends (in this process) that answer with their name in X-Backend. In local mode the world is a manifest
/// directory instead of the API server, and `portico run --manifests` starts nginx itself.
/// </summary>
internal sealed class OperatorRig : IAsyncDisposable
{
    public static readonly string[] BackendNames = ["blue", "green", "red", "yellow"];
    private const int SigTerm = 15;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private Process? _operator;
    private Process? _nginx;

    private OperatorRig(RigSettings settings, Api? api, BenchCluster cluster, IReadOnlyList<TestBackend> backends, string directory)
    {
        Settings = settings;
        Api = api;
        Cluster = cluster;
        Backends = backends;
        Directory = directory;
        Shared = Path.Combine(directory, "shared");
        int[] ports = FreePorts.Take(4);
        (HttpPort, HttpsPort, StatusPort, HealthPort) = (ports[0], ports[1], ports[2], ports[3]);
    }

    public RigSettings Settings { get; }

    /// <summary>The test API server; null in local mode.</summary>
    public Api? Api { get; }

    /// <summary>Where changes go: the API server, or the manifest directory in local mode.</summary>
    public BenchCluster Cluster { get; }

    public bool Local => Api is null;

    public IReadOnlyList<TestBackend> Backends { get; }

    public string Directory { get; }

    public string Shared { get; }

    public int HttpPort { get; }

    public int HttpsPort { get; }

    public int StatusPort { get; }

    public int HealthPort { get; }

    public int OperatorPid => _operator!.Id;

    /// <summary>The nginx master: started by this process, or in local mode by the operator (its pid file).</summary>
    public int NginxPid => _nginx?.Id ?? int.Parse(File.ReadAllText(Path.Combine(Shared, "nginx.pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>From starting the operator process to /readyz answering 200 (first configuration applied and confirmed).</summary>
    public TimeSpan StartToReady { get; private set; }

    public TestBackend Backend(string name) => Backends.Single(b => b.Name == name);

    public static async Task<OperatorRig> StartAsync(RigSettings settings, string name, int ingresses, Action<BenchCluster, IReadOnlyList<TestBackend>>? extra = null)
    {
        var backends = new List<TestBackend>();
        foreach (string backend in BackendNames)
        {
            backends.Add(await TestBackend.StartAsync(backend));
        }

        string directory = Path.Combine(settings.Work, name);
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }

        System.IO.Directory.CreateDirectory(directory);
        Api? api = null;
        BenchCluster cluster;
        bool local = settings.Local;
        if (local)
        {
            string manifests = System.IO.Directory.CreateDirectory(Path.Combine(directory, "manifests")).FullName;
            cluster = new ManifestBenchCluster(manifests);
        }
        else
        {
            api = await Api.StartAsync(new TestApiServerOptions { EventHistoryLimit = 200_000, RequestLogLimit = 1_000 });
            cluster = new ApiBenchCluster(api);
        }

        var seeding = Stopwatch.StartNew();
        BenchWorld.Seed(cluster, ingresses, backends, settings.Policies);
        extra?.Invoke(cluster, backends);
        Console.Error.WriteLine($"[{name}] seeded {ingresses} Ingresses into {(local ? "a manifest directory (one file per object)" : "the test API server")} in {seeding.Elapsed.TotalSeconds:F1} s");

        var rig = new OperatorRig(settings, api, cluster, backends, directory);
        try
        {
            await rig.StartOperatorAsync();
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    private async Task StartOperatorAsync()
    {
        string config = Path.Combine(Directory, "portico.yaml");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            listen:
              http: 127.0.0.1:{HttpPort}
              https: 127.0.0.1:{HttpsPort}
              status: 127.0.0.1:{StatusPort}
            backends:
              allowLoopbackEndpoints: true
            clients:
              accessLog: false
            workers:
              processes: {Settings.WorkerProcesses}
            run:
              minReloadInterval: {Settings.MinReloadInterval}
              holdoff: {Settings.Holdoff}
              maxHoldoff: {Settings.MaxHoldoff}
              confirmTimeout: {Settings.ConfirmTimeout}

            """));
        var arguments = new List<string> { "dotnet", Settings.PorticoDll, "run", "--config", config, "--shared-dir", Shared, "--health-listen", $"127.0.0.1:{HealthPort}" };
        if (Cluster is ManifestBenchCluster manifests)
        {
            arguments.AddRange(["--manifests", manifests.Directory]);
        }
        else
        {
            string kubeconfig = Path.Combine(Directory, "kubeconfig");
            File.WriteAllText(kubeconfig, $"""
                apiVersion: v1
                kind: Config
                clusters:
                  - name: bench
                    cluster:
                      server: {Api!.BaseAddress.AbsoluteUri.TrimEnd('/')}
                users:
                  - name: bench
                    user:
                      token: portico-bench
                contexts:
                  - name: bench
                    context:
                      cluster: bench
                      user: bench
                      namespace: default
                current-context: bench
                """);
            arguments.AddRange(["--kubeconfig", kubeconfig]);
        }

        if (Settings.Validate || Local)
        {
            arguments.AddRange(["--nginx", Settings.Nginx]);
        }

        var stopwatch = Stopwatch.StartNew();
        _operator = StartLogged([.. arguments], Path.Combine(Directory, "operator.log"));
        if (Local)
        {
            // Local mode starts nginx itself once the first configuration is there.
            await WaitAsync(IsReadyAsync, "/readyz");
            StartToReady = stopwatch.Elapsed;
            return;
        }

        string current = Path.Combine(Shared, VersionedConfigDirectory.CurrentLinkName, "nginx.conf");
        await WaitAsync(() => Task.FromResult(File.Exists(current)), "the operator's first configuration in " + Shared);

        // The sidecar container: `nginx -p SHARED/ -c current/nginx.conf` in the foreground.
        _nginx = StartLogged([Settings.Nginx, "-p", Shared.TrimEnd('/') + "/", "-c", "current/nginx.conf", "-e", "stderr", "-g", "daemon off;"], Path.Combine(Directory, "nginx.log"));
        await WaitAsync(IsReadyAsync, "/readyz");
        StartToReady = stopwatch.Elapsed;
    }

    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{HealthPort}/readyz"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public async Task<PrometheusText> ScrapeAsync() =>
        new(await _http.GetStringAsync(new Uri($"http://127.0.0.1:{HealthPort}/metrics")));

    /// <summary>Polls until routing for host/path answers 200 from <paramref name="backend"/>; the time it took, or null after <paramref name="timeout"/>.</summary>
    /// <param name="header">When given, the answer must also carry this header with this value (a policy's response header).</param>
    public async Task<TimeSpan?> WaitRoutedAsync(string host, string path, string backend, TimeSpan timeout, long? since = null, int pollMs = 5, (string Name, string Value)? header = null)
    {
        long started = since ?? Stopwatch.GetTimestamp();
        while (true)
        {
            var reply = await RawHttp.GetAsync(HttpPort, host, path, TimeSpan.FromSeconds(2));
            if (reply.Status == 200 && reply.Backend == backend && (header is not { } h || reply.Header(h.Name) == h.Value))
            {
                return Stopwatch.GetElapsedTime(started);
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                return null;
            }

            await Task.Delay(pollMs);
        }
    }

    /// <summary>Resident set now and at its peak (VmRSS, VmHWM from /proc/PID/status), in MiB.</summary>
    public static (double Rss, double Peak) Memory(int pid)
    {
        double rss = double.NaN, peak = double.NaN;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line) / 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kib(line) / 1024;
            }
        }

        return (rss, peak);

        static double Kib(string line) => double.Parse(line.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>CPU time of a process from /proc/PID/stat, in ms: its own (user + system) and that of its waited-for children.</summary>
    public static (double Own, double Children) Cpu(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double Ticks(int field) => double.Parse(fields[field - 3], CultureInfo.InvariantCulture) * 1000 / 100; // fields numbered as in proc(5); USER_HZ 100
        return (Ticks(14) + Ticks(15), Ticks(16) + Ticks(17));
    }

    /// <summary>
    /// The memory of nginx: master plus its children (workers, old workers still draining), as the sum of their
    /// proportional set sizes (Pss from /proc/PID/smaps_rollup: pages shared after fork counted once), in MiB.
    /// </summary>
    public double NginxPssMiB()
    {
        double total = Pss(NginxPid);
        foreach (string dir in System.IO.Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == NginxPid)
                {
                    total += Pss(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }

        return total;

        static double Pss(int pid) => File.ReadLines($"/proc/{pid}/smaps_rollup")
            .Where(l => l.StartsWith("Pss:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024)
            .FirstOrDefault();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_operator, SigTerm, TimeSpan.FromSeconds(20));
        await StopAsync(_nginx, PosixSignals.Quit, TimeSpan.FromSeconds(10));
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }
        foreach (var backend in Backends)
        {
            await backend.DisposeAsync();
        }

        _http.Dispose();
    }

    private async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        long started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (_operator!.HasExited)
            {
                throw new InvalidOperationException($"the operator exited ({_operator.ExitCode}) while waiting for {what}; see {Path.Combine(Directory, "operator.log")}");
            }

            if (Stopwatch.GetElapsedTime(started) > Settings.ReadyTimeout)
            {
                throw new TimeoutException($"waited {Settings.ReadyTimeout} for {what}; see {Directory}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Starts a process with stdout and stderr appended to <paramref name="log"/> (through sh, which execs it: the pid is the program's).</summary>
    private static Process StartLogged(string[] argv, string log)
    {
        string command = "exec " + string.Join(' ', argv.Select(Quote)) + " >> " + Quote(log) + " 2>&1";
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start " + argv[0]);

        static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static async Task StopAsync(Process? process, int signal, TimeSpan timeout)
    {
        if (process is null)
        {
            return;
        }

        using (process)
        {
            if (!process.HasExited && PosixSignals.TrySend(process.Id, signal, out _))
            {
                using var wait = new CancellationTokenSource(timeout);
                try
                {
                    await process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    // Kill below.
                }
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
