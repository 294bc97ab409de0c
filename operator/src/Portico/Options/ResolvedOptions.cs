using Portico.Core.Building;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Leadership;
using Portico.Status;

namespace Portico.Options;

/// <summary>Options after parsing and validation: typed, ready for the builder and the renderer; the proxy chosen once, as a <see cref="ProxyKind"/>.</summary>
public sealed record ResolvedOptions(ProxyKind Proxy, string? TemplatesDirectory, BuildOptions Build, ProxySettings ProxySettings)
{
    /// <summary>What the leader publishes into Ingress status (the status: section).</summary>
    public IngressStatusOptions Status { get; init; } = IngressStatusOptions.Disabled;

    /// <summary>The leaderElection: section.</summary>
    public LeaderElectionOptions LeaderElection { get; init; } = LeaderElectionOptions.Default;
}
