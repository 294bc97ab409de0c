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
/// file unparsed). Results are cached per Secret for one build.
/// </summary>
internal sealed class TlsCertificateLoader
{
    public const string TlsSecretType = "kubernetes.io/tls";

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

            using var leafWithKey = X509Certificate2.CreateFromPem(certPem, keyPem);
            string chainPem = string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n"));
            string privateKeyPem = ExportKey(leafWithKey) + "\n";
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

    private static string ExportKey(X509Certificate2 certificate)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey()
            ?? (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey()
            ?? throw new CryptographicException("only RSA and ECDSA keys are supported");
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>stringData wins over data, as the API server would merge it on write.</summary>
    private static byte[]? Field(V1Secret secret, string name) =>
        secret.StringData?.TryGetValue(name, out string? text) == true && text is not null ? Encoding.UTF8.GetBytes(text)
        : secret.Data?.TryGetValue(name, out byte[]? bytes) == true ? bytes
        : null;
}
