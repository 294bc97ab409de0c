using System.Security.Cryptography.X509Certificates;

namespace Portico.TestSupport.Nginx;

/// <summary>The outcome of a TLS handshake: the certificate the server presented, or why the handshake failed.</summary>
public sealed record TlsHandshakeResult(X509Certificate2? Certificate, string? Error)
{
    public bool Succeeded => Certificate is not null;

    /// <summary>The DNS names of the certificate's subject alternative name extension.</summary>
    public IReadOnlyList<string> DnsNames => Certificate is null
        ? []
        : [.. Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames())];

    public override string ToString() => Succeeded ? $"handshake ok: {Certificate!.Subject} [{string.Join(", ", DnsNames)}]" : $"handshake failed: {Error}";
}
