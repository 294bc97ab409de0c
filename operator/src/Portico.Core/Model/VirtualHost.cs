using System.Collections.Immutable;

namespace Portico.Core.Model;

/// <summary>
/// All routes for one host, merged from every Ingress that names it, sorted by precedence
/// (Exact first, then longest prefix). <see cref="CertificateId"/> is set when the host is served over TLS.
/// </summary>
public sealed record VirtualHost(HostPattern Host, ImmutableArray<Route> Routes, string? CertificateId)
{
    /// <summary>True when a Prefix "/" route exists, so the default backend is never reached on this host.</summary>
    public bool HasRootRoute => Routes.Any(r => r.Match.IsRootPrefix);
}
