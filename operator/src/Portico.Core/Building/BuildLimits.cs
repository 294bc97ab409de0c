namespace Portico.Core.Building;

/// <summary>Bounds on one Ingress, so a single object cannot blow up the proxy configuration.</summary>
public sealed record BuildLimits
{
    public int MaxRulesPerIngress { get; init; } = 1000;

    public int MaxPathsPerRule { get; init; } = 1000;

    public int MaxTlsEntriesPerIngress { get; init; } = 100;

    public int MaxHostsPerTlsEntry { get; init; } = 1000;

    /// <summary>Bytes of PEM in one Secret field (tls.crt or tls.key).</summary>
    public int MaxPemBytes { get; init; } = 1024 * 1024;
}
