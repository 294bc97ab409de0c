using System.Collections.Immutable;

namespace Portico.Core.Model;

/// <summary>
/// The proxy-independent result of a build: what every renderer turns into its own configuration.
/// Every collection is sorted, so the same cluster always yields the same model.
/// </summary>
public sealed record ProxyModel(
    ImmutableArray<VirtualHost> VirtualHosts,
    ImmutableArray<Upstream> Upstreams,
    ImmutableArray<TlsCertificate> Certificates,
    RouteTarget? DefaultBackend,
    string? DefaultCertificateId,
    ImmutableArray<Diagnostic> Diagnostics,
    ImmutableArray<ObjectRef> ServedIngresses,
    ImmutableArray<ObjectStatus> Statuses = default)
{
    /// <summary>The desired status of every object Portico writes status for, sorted (see ObjectStatus); never default.</summary>
    public ImmutableArray<ObjectStatus> Statuses { get; init; } = Statuses.IsDefault ? [] : Statuses;

    /// <summary>The virtual host that takes requests no named host matches (rules without host).</summary>
    public VirtualHost AnyHost => VirtualHosts.Single(v => v.Host.Kind == HostKind.Any);

    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}
