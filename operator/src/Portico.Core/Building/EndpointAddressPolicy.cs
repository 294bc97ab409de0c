using System.Net;
using System.Net.Sockets;

namespace Portico.Core.Building;

/// <summary>
/// Which pod addresses may be proxied to. Loopback, link-local and unspecified addresses would let an EndpointSlice
/// aim the proxy at itself or at node-local services; a real API server never stores them, so they are refused
/// unless explicitly allowed for local development. Multicast and broadcast are always refused.
/// </summary>
internal static class EndpointAddressPolicy
{
    public static bool TryParse(string? text, bool allowLocal, out IPAddress address, out string error)
    {
        address = IPAddress.None;
        error = string.Empty;
        if (text is null || text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var parsed)
            || parsed.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || !IsCanonicalSpelling(parsed, text) && !IsEquivalentSpelling(parsed, text))
        {
            error = "is not an IP address";
            return false;
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        if (IsMulticastOrBroadcast(address))
        {
            error = $"{address} is a multicast or broadcast address";
            return false;
        }

        if (!allowLocal && IsLocal(address))
        {
            error = $"{address} is a loopback, link-local or unspecified address (allowed only with --allow-loopback-endpoints)";
            return false;
        }

        return true;
    }

    // Formatted into a buffer, not with ToString(): IPAddress keeps the string ToString() makes, one per endpoint for
    // as long as the model keeps the address (30,000 strings at 10,000 Ingresses, issue 13).
    private static bool IsCanonicalSpelling(IPAddress parsed, string text)
    {
        Span<char> formatted = stackalloc char[64];
        return parsed.TryFormat(formatted, out int written) && formatted[..written].Equals(text, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsEquivalentSpelling(IPAddress parsed, string text) =>
        parsed.AddressFamily == AddressFamily.InterNetworkV6 && IPAddress.TryParse(text, out var again) && again.Equals(parsed);

    private static bool IsLocal(IPAddress address)
    {
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal)
        {
            return true;
        }

        byte[] bytes = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork && (bytes[0] == 0 || (bytes[0] == 169 && bytes[1] == 254));
    }

    private static bool IsMulticastOrBroadcast(IPAddress address)
    {
        byte[] bytes = address.GetAddressBytes();
        return address.IsIPv6Multicast
            || (address.AddressFamily == AddressFamily.InterNetwork && (bytes[0] >= 224 || address.Equals(IPAddress.Broadcast)));
    }
}
