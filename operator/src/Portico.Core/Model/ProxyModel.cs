namespace Portico.Core.Model;

/// <summary>
/// The proxy-independent result of a build: what every renderer turns into its own configuration. Every collection
/// is sorted and compares by value, so the same cluster always yields an equal model.
/// <see cref="DefaultBackend"/> is the catch-all route of <c>spec.defaultBackend</c>, when an Ingress defines one;
/// <see cref="Statuses"/> the desired status of every object Portico writes status for (see ObjectStatus).
/// </summary>
public sealed record ProxyModel(
    EquatableArray<VirtualHost> VirtualHosts,
    EquatableArray<Upstream> Upstreams,
    EquatableArray<TlsCertificate> Certificates,
    Route? DefaultBackend,
    string? DefaultCertificateId,
    EquatableArray<Diagnostic> Diagnostics,
    EquatableArray<ObjectRef> ServedIngresses,
    EquatableArray<ObjectStatus> Statuses)
{
    /// <summary>Rule paths not served (another class, or rejected), sorted; for `portico explain`, never rendered.</summary>
    public EquatableArray<UnservedRule> Unserved { get; init; } = [];

    /// <summary>The virtual host that takes requests no named host matches (rules without host).</summary>
    public VirtualHost AnyHost => VirtualHosts.Single(v => v.Host.Kind == HostKind.Any);

    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}
