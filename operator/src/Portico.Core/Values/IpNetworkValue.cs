using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>
/// Parses a CIDR ("10.0.0.0/8", "fd00::/8") or a single address (taken as /32 or /128) for IP allow and deny lists.
/// Strict where address parsers are lenient and attackers count on it: IPv4 only as four decimal octets without
/// leading zeros (no "012.1.1.1" octal, no "10.1" short form, no hex), IPv6 without zone ids, and no bits set past
/// the prefix ("10.0.0.1/8" is refused rather than silently widened or narrowed).
/// </summary>
public static partial class IpNetworkValue
{
    public static bool TryParse(string? text, out IPNetwork network, out string error)
    {
        network = default;
        error = string.Empty;
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            error = "must be an IP address or CIDR of at most 64 characters";
            return false;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            error = "is not an IPv4 address in four decimal octets (no leading zeros) or an IPv6 address";
            return false;
        }

        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = max;
        if (slash >= 0 && !(PrefixLength().IsMatch(text.AsSpan(slash + 1)) && int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) && prefix <= max))
        {
            error = $"has a prefix length that is not a number from 0 to {max}";
            return false;
        }

        network = new IPNetwork(Masked(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
        {
            error = $"has bits set past its /{prefix} prefix (did you mean {network}?)";
            return false;
        }

        return true;
    }

    /// <summary>An address alone, with the same strict rules.</summary>
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPv6Text().IsMatch(text) && IPAddress.TryParse(text, out address!) && address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId == 0;
        }

        return IPv4Text().IsMatch(text) && IPAddress.TryParse(text, out address!);
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    [GeneratedRegex(@"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IPv4Text();

    [GeneratedRegex(@"^[0-9A-Fa-f:]{2,39}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IPv6Text();

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixLength();
}
