namespace Portico.Core.Model;

/// <summary>
/// A certificate chain and its private key, re-encoded by Portico from the parsed Secret (never the Secret's raw bytes).
/// <see cref="Id"/> is a content hash, used for file names.
/// </summary>
public sealed record TlsCertificate(string Id, ObjectRef Secret, string CertificateChainPem, string PrivateKeyPem)
{
    /// <summary>Keys never appear when a model is printed or logged.</summary>
    public override string ToString() => $"certificate {Id} from {Secret}";
}
