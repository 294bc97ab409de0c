using System.Net;
using System.Net.Sockets;

namespace Portico.Core.Model;

/// <summary>One ready pod address and port behind an upstream.</summary>
public sealed record UpstreamEndpoint(IPAddress Address, int Port) : IComparable<UpstreamEndpoint>
{
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>"10.0.0.1:8080" or "[fd00::1]:8080".</summary>
    public string HostPort => IsIPv6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";

    public int CompareTo(UpstreamEndpoint? other)
    {
        if (other is null)
        {
            return 1;
        }

        int byFamily = Address.AddressFamily.CompareTo(other.Address.AddressFamily);
        if (byFamily != 0)
        {
            return byFamily;
        }

        int byAddress = Address.GetAddressBytes().AsSpan().SequenceCompareTo(other.Address.GetAddressBytes());
        return byAddress != 0 ? byAddress : Port.CompareTo(other.Port);
    }
}
