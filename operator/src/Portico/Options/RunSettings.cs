using Portico.Core.Applying;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Syncing;

namespace Portico.Options;

/// <summary>The typed settings of `portico run`: where to read from, how to apply, where to serve health.</summary>
public sealed record RunSettings
{
    public string? Namespace { get; init; }

    public required string SharedDirectory { get; init; }

    /// <summary>
    /// The proxy binaries given (run:nginxBinary, run:envoyBinary), by proxy: the one of the chosen proxy checks each
    /// staged version (nginx -t, envoy --mode validate), and local mode runs it.
    /// </summary>
    public IReadOnlyDictionary<ProxyKind, string> Binaries { get; init; } = new Dictionary<ProxyKind, string>();

    public IReadOnlyList<string>? ReloadCommand { get; init; }

    public ApplierOptions Applier { get; init; } = new();

    public SyncOptions Sync { get; init; } = new();

    public required ListenAddress HealthListen { get; init; }

    /// <summary>How log lines are written to standard output (run:logFormat, "auto" already decided).</summary>
    public ConsoleLogFormat LogFormat { get; init; } = ConsoleLogFormat.Json;
}
