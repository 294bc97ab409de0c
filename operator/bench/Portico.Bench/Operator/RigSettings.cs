namespace Portico.Bench.Operator;

/// <summary>How the operator under benchmark is run: its binary, the sidecar's nginx, and the run settings that shape latency.</summary>
internal sealed record RigSettings
{
    public required string PorticoDll { get; init; }

    public required string Nginx { get; init; }

    public required string Work { get; init; }

    public string MinReloadInterval { get; init; } = "1s";

    public string Holdoff { get; init; } = "100ms";

    public string MaxHoldoff { get; init; } = "500ms";

    public string ConfirmTimeout { get; init; } = "10s";

    /// <summary>`nginx -t` on every new version before the swap (run:nginxBinary set), as the E2E tests and local mode run it.</summary>
    public bool Validate { get; init; } = true;

    /// <summary>Local mode: `portico run --manifests` on a directory of one file per object, which starts nginx itself (always with `nginx -t`).</summary>
    public bool Local { get; init; }

    /// <summary>An IngressPolicy on every 10th Ingress of the world (<see cref="BenchWorld"/>).</summary>
    public bool Policies { get; init; }

    /// <summary>nginx worker_processes; 0: one per core.</summary>
    public int WorkerProcesses { get; init; }

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public string Describe() =>
        $"{(Local ? "local mode (manifest directory, one file per object)" : "cluster mode (test API server)")}{(Policies ? ", an IngressPolicy on every 10th Ingress" : string.Empty)}, holdoff {Holdoff}, maxHoldoff {MaxHoldoff}, minReloadInterval {MinReloadInterval}, nginx -t before each swap: {(Validate || Local ? "yes" : "no")}, " +
        $"nginx worker_processes {(WorkerProcesses == 0 ? "auto (one per core)" : WorkerProcesses)}, access log off, confirmTimeout {ConfirmTimeout}";
}
