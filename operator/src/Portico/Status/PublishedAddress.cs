using System.Net.Sockets;
using System.Net;
using System.Text.RegularExpressions;
using Portico.Core.Building;
using Portico.Core.Values;

namespace Portico.Status;

/// <summary>
/// One entry of an Ingress's status.loadBalancer.ingress: an IP address or a host name, never both. Ordered IPs first,
/// then host names, each ordinally, so the list Portico writes is the same on every replica and every sync.
/// </summary>
public sealed partial record PublishedAddress : IComparable<PublishedAddress>
{
    private PublishedAddress(string? ip, string? hostname)
    {
        Ip = ip;
        Hostname = hostname;
    }

    public string? Ip { get; }

    public string? Hostname { get; }

    public static PublishedAddress ForIp(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new PublishedAddress(address.ToString(), null);
    }

    /// <summary>
    /// Parses an IPv4 address (dotted quad, no leading zeros), an IPv6 address (without a zone), or a DNS host name
    /// (RFC 1123 subdomain, lowercase, a letter in its last label). Anything else, including the forms IPAddress.Parse also accepts ("1",
    /// "0x7f.1", "1.2.3.4%eth0"), is refused: these values end up in every served Ingress's status.
    /// </summary>
    public static bool TryParse(string? text, out PublishedAddress? address)
    {
        address = null;
        if (text is null)
        {
            return false;
        }

        if (Ipv4().IsMatch(text))
        {
            address = new PublishedAddress(text, null);
            return true;
        }

        if (Ipv6Characters().IsMatch(text))
        {
            // The character rule keeps out zones and anything else the parser would tolerate; the parser checks the grammar.
            if (IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6)
            {
                address = ForIp(ip);
                return true;
            }

            return false;
        }

        // A host name's last label must hold a letter (no top-level domain is all digits, RFC 3696 2): "1" or
        // "0x7f.1" are IP addresses in some parsers' eyes, and must not be published as names.
        if (DnsGrammar.IsSubdomain(text) && text[(text.LastIndexOf('.') + 1)..].Any(char.IsAsciiLetterLower))
        {
            address = new PublishedAddress(null, text);
            return true;
        }

        return false;
    }

    public int CompareTo(PublishedAddress? other)
    {
        if (other is null)
        {
            return 1;
        }

        if ((Ip is null) != (other.Ip is null))
        {
            return Ip is null ? 1 : -1;
        }

        int byIp = string.CompareOrdinal(Ip, other.Ip);
        return byIp != 0 ? byIp : string.CompareOrdinal(Hostname, other.Hostname);
    }

    public override string ToString() => Ip ?? Hostname ?? string.Empty;

    [GeneratedRegex("^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv4();

    [GeneratedRegex("^[0-9A-Fa-f:.]{2,45}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv6Characters();
}
