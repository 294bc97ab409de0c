using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portico.TestSupport;

/// <summary>Self-signed certificates made in the test (ECDSA P-256), as PEM.</summary>
public static class TestCertificates
{
    public sealed record Pem(string Certificate, string Key, X509Certificate2 Parsed);

    public static Pem Create(params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + (dnsNames.FirstOrDefault() ?? "portico-test"), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (string name in dnsNames)
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        return new Pem(certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n", certificate);
    }
}
