using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Portico.Bench.Operator;

/// <summary>
/// A keep-alive load generator in this process, for comparison with wrk: <c>connections</c> loops each sending GETs
/// through one HttpClient (SocketsHttpHandler, at most that many connections). Unlike wrk, SocketsHttpHandler
/// resends a request when a reused keep-alive connection turns out closed before any byte of the response came
/// (RFC 9110 §9.2.2 allows this for idempotent requests), as browsers and most HTTP client libraries do.
/// </summary>
internal static class HttpClientLoad
{
    public static async Task<LoadResult> RunAsync(int port, string host, int connections, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var uri = new Uri($"http://{host}:{port}/");
        long ok = 0, nonSuccess = 0, errors = 0;
        var kinds = new Dictionary<string, long>(StringComparer.Ordinal);
        var latencies = new List<double>[connections];
        long started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                long sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseContentRead);
                    mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref ok);
                    }
                    else
                    {
                        Interlocked.Increment(ref nonSuccess);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    Interlocked.Increment(ref errors);
                    string kind = (e.InnerException ?? e).GetType().Name;
                    lock (kinds)
                    {
                        kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                    }
                }
            }
        }));
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        string P(double p) => Machine.Percentile(all, p).ToString("F2", CultureInfo.InvariantCulture) + "ms";
        string errorText = errors == 0 ? "0" : $"{errors} ({string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"))})";
        return new LoadResult(ok + nonSuccess + errors, (ok + nonSuccess) / seconds, nonSuccess, errors, errorText, P(50), P(99));
    }
}

/// <summary>What a load generator saw: requests (answered or failed), non-2xx answers, failed requests (no answer).</summary>
internal sealed record LoadResult(long Requests, double RequestsPerSecond, long NonSuccess, long Errors, string ErrorText, string P50, string P99);
