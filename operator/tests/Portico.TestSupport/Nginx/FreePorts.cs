using System.Net;
using System.Net.Sockets;

namespace Portico.TestSupport.Nginx;

/// <summary>
/// Free TCP ports on 127.0.0.1, found by binding port 0. All sockets of one call stay open until every port is taken,
/// so one call never returns the same port twice. Another process may still take a port before the caller binds it:
/// callers that start a server on these ports retry with fresh ones when the bind fails.
/// </summary>
public static class FreePorts
{
    public static int[] Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var sockets = new List<Socket>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }

            return [.. sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port)];
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    public static int Take() => Take(1)[0];
}
