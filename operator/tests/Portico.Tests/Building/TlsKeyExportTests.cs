using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portico.Core.Building;

namespace Portico.Tests.Building;

/// <summary>
/// The certificate loader's quick key check against the general way (CreateFromPem): wherever the quick one answers,
/// the answer is the general way's, byte for byte; where it is unsure it must say so (null), never differ.
/// </summary>
public sealed class TlsKeyExportTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (string kind in new[] { "ec256", "ec384", "ec521", "rsa2048" })
        {
            var (certificate, key) = Make(kind, usage: null);
            var (_, otherKey) = Make(kind, usage: null);
            yield return new TestCaseData(kind + " pkcs8", certificate, Pkcs8(key), true);
            yield return new TestCaseData(kind + " own format", certificate, Native(key), true);
            yield return new TestCaseData(kind + " text around", certificate, "junk\n" + Pkcs8(key) + "\nmore junk\n", true);
            yield return new TestCaseData(kind + " other key", certificate, Pkcs8(otherKey), false);
            yield return new TestCaseData(kind + " two keys", certificate, Pkcs8(otherKey) + Pkcs8(key), false);
            yield return new TestCaseData(kind + " public key only", certificate, key.ExportSubjectPublicKeyInfoPem(), false);
            yield return new TestCaseData(kind + " no key", certificate, "nothing here", false);
            yield return new TestCaseData(kind + " bad base64", certificate, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", false);
        }

        var (ecCert, ecKey) = Make("ec256", usage: null);
        var (rsaCert, rsaKey) = Make("rsa2048", usage: null);
        yield return new TestCaseData("ec cert, rsa key", ecCert, Pkcs8(rsaKey), false);
        yield return new TestCaseData("rsa cert, ec key", rsaCert, Pkcs8(ecKey), false);
        var (signing, signingKey) = Make("ec256", X509KeyUsageFlags.DigitalSignature);
        yield return new TestCaseData("ec with signing key usage", signing, Pkcs8(signingKey), true);
        var (agreement, agreementKey) = Make("ec256", X509KeyUsageFlags.KeyAgreement);
        yield return new TestCaseData("ec with key agreement only", agreement, Pkcs8(agreementKey), false);
    }

    [TestCaseSource(nameof(Cases))]
    public void The_quick_check_gives_the_general_way_s_key_or_declines(string name, X509Certificate2 certificate, string keyPem, bool quick)
    {
        string? fast = TlsCertificateLoader.TryExportMatchingKey(certificate, keyPem);
        Assert.That(fast is not null, Is.EqualTo(quick), name);
        if (fast is null)
        {
            return;
        }

        Assert.That(fast, Is.EqualTo(TlsCertificateLoader.ExportKeyTheGeneralWay(certificate.ExportCertificatePem(), keyPem)), name);
    }

    private static string Pkcs8(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem() + "\n";

    private static string Native(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => rsa.ExportRSAPrivateKeyPem() + "\n",
        ECDsa ec => ec.ExportECPrivateKeyPem() + "\n",
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    private static (X509Certificate2 Certificate, AsymmetricAlgorithm Key) Make(string kind, X509KeyUsageFlags? usage)
    {
        AsymmetricAlgorithm key = kind switch
        {
            "ec256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            "ec384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            "ec521" => ECDsa.Create(ECCurve.NamedCurves.nistP521),
            _ => RSA.Create(2048),
        };
        var request = key is RSA rsa
            ? new CertificateRequest("CN=quick.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=quick.test", (ECDsa)key, HashAlgorithmName.SHA256);
        if (usage is { } flags)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(flags, critical: true));
        }

        // Signed without attaching the key (a key-agreement-only EC certificate cannot take an ECDSA key).
        var generator = key is RSA signer ? X509SignatureGenerator.CreateForRSA(signer, RSASignaturePadding.Pkcs1) : X509SignatureGenerator.CreateForECDsa((ECDsa)key);
        using var certificate = request.Create(request.SubjectName, generator, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), [1, 2, 3, 4]);
        return (X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }
}
