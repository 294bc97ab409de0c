using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Portico.Core.Rendering.Nginx;

namespace Portico.Core.Applying.Nginx;

/// <summary>
/// Loads the certificates a staged version's Lua will load (portico-certificates.txt, ADR 0017): `nginx -t` does not
/// run init_by_lua, so without this a certificate that does not load would be found only by the reload, which nginx
/// then refuses. Certificate files are named by the hash of their content, so an id that loaded once is not loaded
/// again.
/// </summary>
public sealed partial class NginxCertificatesCheck
{
    // Bounded: ids of certificates no longer served fall out when it is full.
    private const int RememberedIds = 65536;

    private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Null when every certificate of <paramref name="versionDirectory"/> loads with its key; otherwise which does not, and why.</summary>
    public string? Check(string versionDirectory)
    {
        string index = Path.Combine(versionDirectory, NginxRenderer.CertificatesFile);
        if (!File.Exists(index))
        {
            return null;
        }

        foreach (string line in File.ReadLines(index))
        {
            var match = Line().Match(line);
            if (!match.Success)
            {
                return $"{NginxRenderer.CertificatesFile}: malformed line {Model.Printable.Quote(line)}";
            }

            string host = match.Groups["host"].Value, id = match.Groups["id"].Value;
            lock (_lock)
            {
                if (_loaded.Contains(id))
                {
                    continue;
                }
            }

            string certificate = Path.Combine(versionDirectory, NginxViewBuilder.CertificateFile(id));
            try
            {
                using var loaded = X509Certificate2.CreateFromPemFile(certificate, Path.Combine(versionDirectory, NginxViewBuilder.KeyFile(id)));
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                return $"the certificate of host {host} ({NginxViewBuilder.CertificateFile(id)}) does not load with its key: {e.Message}";
            }

            lock (_lock)
            {
                if (_loaded.Count >= RememberedIds)
                {
                    _loaded.Clear();
                }

                _loaded.Add(id);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<host>(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?) (?<id>[0-9a-f]{1,64})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Line();
}
