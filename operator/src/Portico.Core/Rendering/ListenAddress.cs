using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Portico.Core.Rendering;

/// <summary>An IP address and port the proxy listens on, parsed from "ADDR:PORT" or "[IPv6]:PORT".</summary>
public sealed record ListenAddress(IPAddress Address, int Port)
{
    public bool IsLoopback => IPAddress.IsLoopback(Address);

    /// <summary>"0.0.0.0:8080" or "[::]:8080": the form nginx's listen and most tools accept.</summary>
    public string HostPort => Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";

    public static ListenAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"\"{text}\" is not ADDRESS:PORT (for example 0.0.0.0:8080 or [::]:8080)");

    public static bool TryParse(string? text, out ListenAddress address)
    {
        address = new ListenAddress(IPAddress.Any, 0);
        if (string.IsNullOrEmpty(text) || !text.Contains(':', StringComparison.Ordinal)
            || !IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port is < 1 or > 65535
            || (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && !text.StartsWith('[')))
        {
            return false;
        }

        address = new ListenAddress(endpoint.Address, endpoint.Port);
        return true;
    }

    public override string ToString() => HostPort;

    public string PortText => Port.ToString(CultureInfo.InvariantCulture);
}
