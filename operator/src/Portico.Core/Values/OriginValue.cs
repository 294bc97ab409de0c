using System.Globalization;

namespace Portico.Core.Values;

/// <summary>
/// A CORS origin: "scheme://host[:port]" with scheme http or https, a DNS name (lowercase; "*." may stand for one or
/// more leading labels, as the Gateway API allows) or an IP address, and no path, query, user or fragment; or "*"
/// alone (any origin). Kept in canonical form: lowercase, default ports left out.
/// </summary>
public static class OriginValue
{
    public const int MaxLength = 512;

    public const string Rule = "must be \"*\" or scheme://host[:port] with scheme http or https, a DNS name (optionally starting with \"*.\") or an IP address, and nothing after the port";

    public static bool TryParse(string? text, out string origin)
    {
        origin = string.Empty;
        if (text is null || text.Length > MaxLength)
        {
            return false;
        }

        if (text == "*")
        {
            origin = text;
            return true;
        }

        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        string scheme = schemeEnd < 0 ? string.Empty : text[..schemeEnd];
        if (scheme is not ("http" or "https"))
        {
            return false;
        }

        string rest = text[(schemeEnd + 3)..];
        string host = rest;
        int? port = null;
        int colon = rest.LastIndexOf(':');
        if (colon >= 0 && !rest.EndsWith(']'))
        {
            if (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535 || rest[(colon + 1)..].StartsWith('0'))
            {
                return false;
            }

            host = rest[..colon];
            port = number;
        }

        string? canonicalHost = CanonicalHost(host);
        if (canonicalHost is null)
        {
            return false;
        }

        bool defaultPort = port is null || (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
        origin = defaultPort ? $"{scheme}://{canonicalHost}" : $"{scheme}://{canonicalHost}:{port}";
        return true;
    }

    private static string? CanonicalHost(string host)
    {
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IpNetworkValue.TryParseAddress(host[1..^1], out var v6) ? $"[{v6}]" : null;
        }

        if (IpNetworkValue.TryParseAddress(host, out var v4))
        {
            return v4.ToString();
        }

        string lower = DnsGrammar.ToLowerAscii(host);
        bool wildcard = lower.StartsWith("*.", StringComparison.Ordinal);
        string name = wildcard ? lower[2..] : lower;

        // A wildcard needs a registrable suffix: "*.example.com", never "*.com".
        bool suffixOk = !wildcard || name.Contains('.', StringComparison.Ordinal);
        return DnsGrammar.IsSubdomain(name) && suffixOk ? lower : null;
    }
}
