using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portico.Core.Rendering.Nginx;

namespace Portico.Core.Applying.Nginx;

/// <summary>
/// Loads the certificates a staged version's Lua will load (portico-certificates.txt, ADR 0017): `nginx -t` does not
/// run init_by_lua, so without this a certificate that does not load would be found only by the reload, which nginx
/// then refuses. Certificate files are named by the hash of their content, so an id that loaded once is not loaded
/// again.
/// </summary>
public sealed class NginxCertificatesCheck
{
    // Bounded: ids of certificates no longer served fall out when it is full.
    private const int RememberedIds = 65536;

    private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Null when every certificate of <paramref name="versionDirectory"/> loads with its key; otherwise which does not, and why.</summary>
    public string? Check(string versionDirectory)
    {
        string index = Path.Combine(versionDirectory, NginxCertificatesFile.Name);
        if (!File.Exists(index))
        {
            return null;
        }

        // One validation at a time (the applier runs them in turn): the lock only guards the remembered ids.
        lock (_lock)
        {
            foreach (string line in File.ReadLines(index))
            {
                if (NginxCertificatesFile.Parse(line) is not { } certificate)
                {
                    return $"{NginxCertificatesFile.Name}: malformed line {Model.Printable.Quote(line)}";
                }

                if (_loaded.Contains(certificate.Id))
                {
                    continue;
                }

                string file = NginxViewBuilder.CertificateFile(certificate.Id);
                try
                {
                    using var loaded = X509Certificate2.CreateFromPemFile(Path.Combine(versionDirectory, file), Path.Combine(versionDirectory, NginxViewBuilder.KeyFile(certificate.Id)));
                }
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
                {
                    return $"the certificate of host {certificate.Host} ({file}) does not load with its key: {e.Message}";
                }

                if (_loaded.Count >= RememberedIds)
                {
                    _loaded.Clear();
                }

                _loaded.Add(certificate.Id);
            }
        }

        return null;
    }
}
