using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// Turns a kubernetes.io/tls Secret into a <see cref="TlsCertificate"/>: the chain and key are parsed, the key must
/// match the leaf certificate, and both are re-encoded from the parsed objects (so no byte of the Secret reaches a
/// file unparsed). Results are cached per Secret for one build, and by Secret instance across builds.
/// </summary>
internal sealed class TlsCertificateLoader
{
    public const string TlsSecretType = "kubernetes.io/tls";

    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    private readonly ClusterSnapshot _snapshot;
    private readonly BuildLimits _limits;
    private readonly Dictionary<NamespacedName, (TlsCertificate? Certificate, string Error)> _cache = [];

    /// <summary>
    /// Parses the given Secrets in parallel ahead of use: parsing and re-encoding keys is the costliest part of a
    /// build with many TLS hosts, and each Secret's result does not depend on any other.
    /// </summary>
    public void Preload(IEnumerable<NamespacedName> secrets)
    {
        var keys = secrets.Distinct().Where(k => !_cache.ContainsKey(k)).ToArray();
        var results = new (TlsCertificate?, string)[keys.Length];
        Parallel.For(0, keys.Length, i => results[i] = LoadUncached(keys[i]));
        for (int i = 0; i < keys.Length; i++)
        {
            _cache[keys[i]] = results[i];
        }
    }

    public TlsCertificateLoader(ClusterSnapshot snapshot, BuildLimits limits)
    {
        _snapshot = snapshot;
        _limits = limits;
    }

    /// <summary>The certificate, or null with the reason it cannot be used.</summary>
    public TlsCertificate? Load(NamespacedName secret, out string error)
    {
        if (!_cache.TryGetValue(secret, out var result))
        {
            result = _cache[secret] = LoadUncached(secret);
        }

        error = result.Error;
        return result.Certificate;
    }

    private (TlsCertificate?, string) LoadUncached(NamespacedName key)
    {
        if (!_snapshot.Secrets.TryGetValue(key, out var secret))
        {
            return (null, $"Secret {key} not found");
        }

        // The store keeps an unchanged Secret as the same instance from snapshot to snapshot, so a build at 10,000
        // Ingresses with a thousand TLS Secrets parses only those that changed (issue 13), not all of them.
        if (Parsed.TryGetValue(secret, out var parsed) && parsed.Key == key && parsed.MaxPemBytes == _limits.MaxPemBytes)
        {
            return parsed.Result;
        }

        var result = Parse(key, secret);
        Parsed.AddOrUpdate(secret, new ParsedSecret(key, _limits.MaxPemBytes, result));
        return result;
    }

    /// <summary>What a Secret instance parsed to, and under which name and limit (the result names the Secret and depends on the limit).</summary>
    private sealed record ParsedSecret(NamespacedName Key, int MaxPemBytes, (TlsCertificate?, string) Result);

    // Results by Secret instance, for as long as the instance lives (the store drops it when the Secret changes or goes).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<V1Secret, ParsedSecret> Parsed = [];

    /// <summary>The certificate parsed from the Secret's own bytes: a pure function of its type, data and the limit.</summary>
    private (TlsCertificate?, string) Parse(NamespacedName key, V1Secret secret)
    {

        if (secret.Type != TlsSecretType)
        {
            return (null, $"Secret {key} has type {Printable.Quote(secret.Type)}, not {TlsSecretType}");
        }

        byte[]? certBytes = Field(secret, "tls.crt");
        byte[]? keyBytes = Field(secret, "tls.key");
        if (certBytes is null || keyBytes is null)
        {
            return (null, $"Secret {key} lacks {(certBytes is null ? "tls.crt" : "tls.key")}");
        }

        if (certBytes.Length > _limits.MaxPemBytes || keyBytes.Length > _limits.MaxPemBytes)
        {
            return (null, $"Secret {key} holds more than {_limits.MaxPemBytes} bytes of PEM");
        }

        try
        {
            string certPem = Encoding.ASCII.GetString(certBytes);
            string keyPem = Encoding.ASCII.GetString(keyBytes);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(certPem);
            if (chain.Count == 0)
            {
                return (null, $"Secret {key}: tls.crt holds no PEM certificate");
            }

            string privateKeyPem = (TryExportMatchingKey(chain[0], keyPem) ?? ExportKeyTheGeneralWay(certPem, keyPem)) + "\n";
            string chainPem = string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n"));
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }

            string id = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(chainPem + privateKeyPem)))[..32];
            return (new TlsCertificate(id, new ObjectRef(KnownKinds.Secret, key.Namespace, key.Name), chainPem, privateKeyPem), string.Empty);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return (null, $"Secret {key} does not hold a usable certificate and matching key: {Printable.Escape(e.Message)}");
        }
    }

    /// <summary>
    /// The one general way: <see cref="X509Certificate2.CreateFromPem(ReadOnlySpan{char}, ReadOnlySpan{char})"/> picks
    /// the key by the certificate's algorithm and checks that it matches; the key is exported from the result.
    /// </summary>
    internal static string ExportKeyTheGeneralWay(string certPem, string keyPem)
    {
        using var leafWithKey = X509Certificate2.CreateFromPem(certPem, keyPem);
        return ExportKey(leafWithKey);
    }

    /// <summary>
    /// The same result as <see cref="ExportKeyTheGeneralWay"/> for the common case, with a third of its work (the
    /// general way decodes the certificate again and builds its public key twice): an RSA or ECDSA leaf, a key text
    /// holding exactly one PEM block with a label CreateFromPem accepts for that algorithm, and a key whose public
    /// half encodes exactly as the certificate's. Null in every other case, which then goes the general way, so
    /// every error, and every success in an unusual case, stays exactly what it was.
    /// </summary>
    internal static string? TryExportMatchingKey(X509Certificate2 leaf, string keyPem)
    {
        try
        {
            if (!PemEncoding.TryFind(keyPem, out var fields) || PemEncoding.TryFind(keyPem.AsSpan(fields.Location.End), out _))
            {
                return null;
            }

            var label = keyPem.AsSpan()[fields.Label];
            switch (leaf.GetKeyAlgorithm())
            {
                case RsaOid when label is "RSA PRIVATE KEY" or "PRIVATE KEY":
                {
                    using var rsa = RSA.Create();
                    rsa.ImportFromPem(keyPem);
                    return SamePublicKey(leaf, rsa) ? rsa.ExportPkcs8PrivateKeyPem() : null;
                }

                case EcPublicKeyOid when label is "EC PRIVATE KEY" or "PRIVATE KEY" && SurelyEcdsa(leaf):
                {
                    using var ecdsa = ECDsa.Create();
                    ecdsa.ImportFromPem(keyPem);
                    return SamePublicKey(leaf, ecdsa) ? ecdsa.ExportPkcs8PrivateKeyPem() : null;
                }

                default:
                    return null;
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private static bool SamePublicKey(X509Certificate2 leaf, AsymmetricAlgorithm key) =>
        leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());

    /// <summary>An EC certificate that is certainly an ECDSA one: no key usage extension, or one allowing signatures.</summary>
    private static bool SurelyEcdsa(X509Certificate2 leaf)
    {
        foreach (var extension in leaf.Extensions)
        {
            if (extension.Oid?.Value == "2.5.29.15")
            {
                return extension is X509KeyUsageExtension usage && (usage.KeyUsages & X509KeyUsageFlags.DigitalSignature) != 0;
            }
        }

        return true;
    }

    private static string ExportKey(X509Certificate2 certificate)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey()
            ?? (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey()
            ?? throw new CryptographicException("only RSA and ECDSA keys are supported");
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>stringData wins over data, as the API server would merge it on write.</summary>
    private static byte[]? Field(V1Secret secret, string name) => SecretData.Of(secret).GetValueOrDefault(name);
}
