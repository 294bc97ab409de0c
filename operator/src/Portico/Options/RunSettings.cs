using Portico.Core.Applying;
using Portico.Core.Rendering;
using Portico.Syncing;

namespace Portico.Options;

/// <summary>The typed settings of `portico run`: where to read from, how to apply, where to serve health.</summary>
public sealed record RunSettings
{
    public string? Namespace { get; init; }

    public required string SharedDirectory { get; init; }

    public string? NginxBinary { get; init; }

    /// <summary>Proxy envoy: `envoy --mode validate` before each swap, and the Envoy local mode starts.</summary>
    public string? EnvoyBinary { get; init; }

    public IReadOnlyList<string>? ReloadCommand { get; init; }

    public ApplierOptions Applier { get; init; } = new();

    public SyncOptions Sync { get; init; } = new();

    public required ListenAddress HealthListen { get; init; }
}
