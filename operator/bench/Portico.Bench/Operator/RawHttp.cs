using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portico.Bench.Operator;

/// <summary>
/// The cheapest honest probe of routing: one GET on a new TCP connection to nginx (Connection: close), so every
/// probe is accepted by a worker of the configuration running at that moment; returns the status, X-Backend and the
/// header lines.
/// </summary>
internal static class RawHttp
{
    public readonly record struct Reply(int Status, string? Error, IReadOnlyList<string>? HeaderLines = null)
    {
        /// <summary>The backend that answered (the test backends' X-Backend header), or null.</summary>
        public string? Backend => Header("X-Backend");

        /// <summary>The value of the first header <paramref name="name"/> (case-insensitive), or null.</summary>
        public string? Header(string name) => HeaderLines?
            .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(l => l[(name.Length + 1)..].Trim())
            .FirstOrDefault();
    }

    public static async Task<Reply> GetAsync(int port, string host, string path, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancel.Token);
            byte[] request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nUser-Agent: portico-bench\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, cancel.Token);
            var buffer = new byte[16 * 1024];
            int total = 0;
            while (total < buffer.Length)
            {
                int read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancel.Token);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return Parse(Encoding.ASCII.GetString(buffer, 0, total));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return new Reply(0, e.GetType().Name + ": " + e.Message);
        }
    }

    private static Reply Parse(string text)
    {
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        string[] lines = (end >= 0 ? text[..end] : text).Split("\r\n");
        if (lines.Length == 0 || !lines[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || lines[0].Length < 12)
        {
            return new Reply(0, "no HTTP response: " + (text.Length > 80 ? text[..80] : text));
        }

        int status = int.Parse(lines[0].AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        return new Reply(status, null, lines[1..]);
    }
}
