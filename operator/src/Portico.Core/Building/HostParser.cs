using System.Net;
using Portico.Core.Model;
using Portico.Core.Values;

namespace Portico.Core.Building;

/// <summary>Parses an Ingress rule or TLS host into a <see cref="HostPattern"/>, or says why it cannot.</summary>
public static class HostParser
{
    /// <summary>
    /// Empty means any host. "*.foo.com" is a single-label wildcard. Otherwise an RFC 1123 subdomain (lowercased:
    /// hosts match case-insensitively), never an IP address, never with a port.
    /// </summary>
    public static bool TryParse(string? raw, out HostPattern host, out string error)
    {
        host = HostPattern.Any;
        error = string.Empty;
        if (string.IsNullOrEmpty(raw))
        {
            return true;
        }

        if (raw.Length > DnsGrammar.MaxSubdomainLength)
        {
            error = $"is longer than {DnsGrammar.MaxSubdomainLength} characters";
            return false;
        }

        string value = DnsGrammar.ToLowerAscii(raw);
        bool wildcard = value.StartsWith("*.", StringComparison.Ordinal);
        string name = wildcard ? value[2..] : value;
        if (LooksLikeIpAddress(name))
        {
            error = $"{Printable.Quote(raw)} must be a DNS name, not an IP address";
            return false;
        }

        if (!DnsGrammar.IsSubdomain(name))
        {
            error = name.Contains('*', StringComparison.Ordinal)
                ? $"{Printable.Quote(raw)} is not a valid host: a wildcard must be the whole first label, as in \"*.example.com\""
                : $"{Printable.Quote(raw)} is not a valid host: lowercase letters, digits, '-' and '.' only, as in \"app.example.com\" (RFC 1123)";
            return false;
        }

        host = new HostPattern(wildcard ? HostKind.Wildcard : HostKind.Exact, value);
        return true;
    }

    /// <summary>A dotted quad or anything with ':' (IPAddress.TryParse alone would also take "1234").</summary>
    private static bool LooksLikeIpAddress(string name) =>
        name.Contains(':', StringComparison.Ordinal) || (name.Count(c => c == '.') == 3 && IPAddress.TryParse(name, out _));
}
