using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Portico.TestSupport;

namespace Portico.Bench.Operator;

/// <summary>
/// Reloads and failed requests while EndpointSlices churn under load. wrk (or, with --client httpclient, an
/// HttpClient load loop in this process) sends keep-alive requests to host load.bench (Service "load": four
/// EndpointSlices, one per live backend) for the whole window while this process writes EndpointSlice changes at a
/// fixed rate through the test API server. Variants:
/// <list type="bullet">
/// <item>none: no changes (the baseline: what wrk sees without reloads);</item>
/// <item>other: each change flips the ready condition of one endpoint of one of 10 other Services (app-0..9, routed
/// by their own Ingresses, not under load): every change alters the rendered config;</item>
/// <item>loaded: each change flips the ready condition of one of the loaded Service's four slices (one not-ready,
/// then ready again): the upstream under load changes among live backends, at least three always ready.</item>
/// </list>
/// Reloads are counted from the operator's portico_reloads_total between just before wrk starts and just after it ends.
/// </summary>
internal static partial class ChurnBenchmark
{
    public static async Task<int> RunAsync(RigSettings settings, int ingresses, int seconds, double rate, string[] variants, string client, int wrkThreads, int connections, string wrkExtra)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ingresses, 10);
        string load = client == "wrk"
            ? $"wrk -t{wrkThreads} -c{connections} -d{seconds}s --latency -H 'Host: load.bench'{(wrkExtra.Length > 0 ? $" -H '{wrkExtra}'" : string.Empty)} (keep-alive{(wrkExtra.Length > 0 ? ", " + wrkExtra : string.Empty)}; wrk does not resend a request)"
            : $"HttpClient in the bench process, {connections} keep-alive connections, GET in a loop per connection (resends a request on a reused connection closed before any response byte)";
        Console.WriteLine($"machine: {Machine.Describe()}");
        Console.WriteLine($"settings: {settings.Describe()}; {ingresses} Ingresses; {seconds} s per variant; {rate} changes/s; load: {load}");
        await using var rig = await OperatorRig.StartAsync(settings, "churn", ingresses, (api, backends) =>
        {
            api.Upsert(Kube.Service("load", "default"));
            foreach (var backend in backends)
            {
                api.Upsert(Kube.Slice("load", null, backend.Port, ["127.0.0.1"], "default", "load-" + backend.Name));
            }

            api.Upsert(Kube.Ingress("load", "default").WithPath("load.bench", "/", "Prefix", "load", 80));
        });
        Console.Error.WriteLine($"[churn] ready {rig.StartToReady.TotalSeconds:F1} s after start ({Machine.Stamp()})");
        if (await rig.WaitRoutedAsync("load.bench", "/", rig.Backends[0].Name, TimeSpan.FromSeconds(60)) is null)
        {
            throw new InvalidOperationException("load.bench never routed");
        }

        double interval = Seconds(settings.MinReloadInterval);
        int bound = (int)Math.Floor(seconds / interval) + 1;
        var table = new StringBuilder();
        table.AppendLine("| variant | client | changes made (rate /s) | requests | requests/s | non-2xx | failed (no response) | latency p50 / p99 | reloads in window | bound | live updates (no reload) | rebuilds | unchanged | load average (start → end) |");
        table.AppendLine("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|");
        bool met = true;
        var other = new bool[10, 3];
        var loaded = new bool[rig.Backends.Count];
        foreach (string variant in variants)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(3, interval * 2)));
            var before = await rig.ScrapeAsync();
            string loadBefore = Machine.LoadAverage();
            LoadResult result;
            int made;
            if (client == "wrk")
            {
                var wrk = StartWrk(rig.HttpPort, seconds, wrkThreads, connections, wrkExtra);
                made = await ChurnAsync(variant, rig, seconds, rate, other, loaded);
                string output = await wrk.StandardOutput.ReadToEndAsync() + await wrk.StandardError.ReadToEndAsync();
                await wrk.WaitForExitAsync();
                await File.WriteAllTextAsync(Path.Combine(rig.Directory, $"wrk-{variant}.txt"), output);
                result = WrkResult.Parse(output);
            }
            else
            {
                var running = HttpClientLoad.RunAsync(rig.HttpPort, "load.bench", connections, TimeSpan.FromSeconds(seconds));
                made = await ChurnAsync(variant, rig, seconds, rate, other, loaded);
                result = await running;
            }

            var after = await rig.ScrapeAsync();
            string loadAfter = Machine.LoadAverage();
            double reloads = after.Sum("portico_reloads_total", "result=\"success\"") - before.Sum("portico_reloads_total", "result=\"success\"");
            double failedReloads = after.Sum("portico_reloads_total") - before.Sum("portico_reloads_total") - reloads;
            double liveUpdates = after.Sum("portico_live_updates_total", "result=\"success\"") - before.Sum("portico_live_updates_total", "result=\"success\"");
            double rebuilds = after.Sum("portico_build_duration_seconds_count") - before.Sum("portico_build_duration_seconds_count");
            double unchanged = after.Sum("portico_unchanged_configs_total") - before.Sum("portico_unchanged_configs_total");
            met &= result.NonSuccess == 0 && result.Errors == 0 && reloads <= bound && failedReloads == 0;
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {variant} | {client} | {made} ({made / (double)seconds:F1}) | {result.Requests:N0} | {result.RequestsPerSecond:F0} | {result.NonSuccess} | {result.ErrorText} " +
                $"| {result.P50} / {result.P99} | {reloads:F0}{(failedReloads > 0 ? $" (+{failedReloads:F0} not successful)" : string.Empty)} | ≤ {bound} | {liveUpdates:F0} | {rebuilds:F0} | {unchanged:F0} | {loadBefore} → {loadAfter} |"));
            Console.Error.WriteLine($"[churn] {variant}: {result.Requests} requests, {result.NonSuccess} non-2xx, failed {result.ErrorText}, {reloads} reloads ({Machine.Stamp()})");

            // Back to every loaded endpoint ready before the next variant.
            if (variant == "loaded")
            {
                for (int k = 0; k < loaded.Length; k++)
                {
                    loaded[k] = false;
                    rig.Cluster.Upsert(LoadSlice(rig, k, loaded));
                }
            }
        }

        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine();
        Console.WriteLine($"bound: {seconds} s / minReloadInterval {settings.MinReloadInterval} + 1 = {bound}; rebuilds: builds the operator ran in the window; unchanged: builds whose rendered hash was already applied.");
        Console.WriteLine(met ? "target met: no failed request, reloads within the bound" : "TARGET MISSED: failed requests, or reloads beyond the bound");
        return met ? 0 : 1;
    }

    /// <summary>Writes one change every 1/rate s for the window (catching up when late, so the count is kept); returns how many were made.</summary>
    private static async Task<int> ChurnAsync(string variant, OperatorRig rig, int seconds, double rate, bool[,] other, bool[] loaded)
    {
        if (variant == "none")
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            return 0;
        }

        long started = Stopwatch.GetTimestamp();
        var window = TimeSpan.FromSeconds(seconds);
        int made = 0;
        for (int i = 0; ; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due >= window)
            {
                break;
            }

            var wait = due - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            switch (variant)
            {
                case "other":
                    {
                        // Service app-(i % 10), endpoint (i / 10) % 3: ready <-> not ready. (other[s, e] true = not ready.)
                        int service = i % 10, endpoint = i / 10 % 3;
                        other[service, endpoint] = !other[service, endpoint];
                        string[] ready = [.. Enumerable.Range(0, 3).Where(e => !other[service, e]).Select(e => BenchWorld.SeedAddresses[e])];
                        string[] notReady = [.. Enumerable.Range(0, 3).Where(e => other[service, e]).Select(e => BenchWorld.SeedAddresses[e])];
                        rig.Cluster.Upsert(Kube.Slice($"app-{service}", null, rig.Backends[service % rig.Backends.Count].Port, ready, BenchWorld.Namespace(service), BenchWorld.SliceName(service), notReady));
                        break;
                    }

                case "loaded":
                    {
                        // Slice (i / 2) % 4: not ready on even changes, ready again on odd ones. (loaded[k] true = not ready.)
                        int slice = i / 2 % loaded.Length;
                        loaded[slice] = i % 2 == 0;
                        rig.Cluster.Upsert(LoadSlice(rig, slice, loaded));
                        break;
                    }

                default:
                    throw new ArgumentException($"unknown variant {variant} (none, other, loaded)");
            }

            made++;
        }

        var rest = window - Stopwatch.GetElapsedTime(started);
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        return made;
    }

    private static k8s.Models.V1EndpointSlice LoadSlice(OperatorRig rig, int index, bool[] notReady)
    {
        var backend = rig.Backends[index];
        return notReady[index]
            ? Kube.Slice("load", null, backend.Port, [], "default", "load-" + backend.Name, notReady: ["127.0.0.1"])
            : Kube.Slice("load", null, backend.Port, ["127.0.0.1"], "default", "load-" + backend.Name);
    }

    private static Process StartWrk(int port, int seconds, int threads, int connections, string extra)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { $"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--latency", "-H", "Host: load.bench" })
        {
            start.ArgumentList.Add(argument);
        }

        if (extra.Length > 0)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add(extra);
        }

        start.ArgumentList.Add($"http://127.0.0.1:{port}/");
        return Process.Start(start) ?? throw new InvalidOperationException("could not start wrk (apt-get install -y wrk)");
    }

    private static double Seconds(string duration) => duration.EndsWith("ms", StringComparison.Ordinal)
        ? double.Parse(duration[..^2], CultureInfo.InvariantCulture) / 1000
        : double.Parse(duration.TrimEnd('s'), CultureInfo.InvariantCulture);

    /// <summary>wrk's summary: requests, requests/s, "Non-2xx or 3xx responses", socket errors (a request without response), latency percentiles.</summary>
    private static class WrkResult
    {
        public static LoadResult Parse(string output)
        {
            var requests = RequestsLine().Match(output);
            var rps = RpsLine().Match(output);
            var errors = SocketLine().Match(output);
            var non = NonSuccessLine().Match(output);
            if (!requests.Success || !rps.Success)
            {
                throw new InvalidOperationException("could not read wrk's output:\n" + output);
            }

            long Long(Match m, int group) => m.Success ? long.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
            string Latency(string percent) => Regex.Match(output, $@"^\s+{percent}%\s+(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "?";
            long connect = Long(errors, 1), read = Long(errors, 2), write = Long(errors, 3), timeout = Long(errors, 4);
            long total = connect + read + write + timeout;
            string text = total == 0 ? "0" : $"{total} (connect {connect}, read {read}, write {write}, timeout {timeout})";
            return new LoadResult(Long(requests, 1), double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture), Long(non, 1), total, text, Latency("50"), Latency("99"));
        }
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RpsLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccessLine();
}
