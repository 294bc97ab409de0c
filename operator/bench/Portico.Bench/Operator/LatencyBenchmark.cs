using System.Diagnostics;
using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using Portico.Core.Applying;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Bench.Operator;

/// <summary>
/// Time from an API change to the first correctly routed request. For each size: seed N Ingresses, start the
/// operator and its nginx, wait ready; then, alternately, (a) create an Ingress for a new host routed to one backend
/// and (b) switch the path of an existing Ingress to another backend; (c) move a Service's endpoint to another
/// backend (an EndpointSlice change: with Lua endpoints no reload). The clock starts right before the write into
/// the test API server and stops at the first response from the expected backend; probes go every ~5 ms, each on a
/// new connection. Changes are <c>gap</c> apart (after the previous one was observed), so that with a gap above the
/// minimum reload interval the interval is not what is being measured. With <c>policies</c>, a fourth kind:
/// (d) an IngressPolicy edit: its trafficSplit moves an Ingress to another backend and its response header changes
/// with it; the change counts as routed once an answer comes from the new backend <b>with</b> the new header value.
/// With Lua endpoints both are live data (ADR 0016); without, a reload. And (e) the same for an Ingress: its path
/// moves to another backend and an annotation (proxy-body-size) changes with it: the body size is enforced by
/// nginx.conf, so the route's key changes and the change is applied by a reload, never live ahead of it.
/// </summary>
internal static class LatencyBenchmark
{
    /// <param name="settle">
    /// Start a change only once the operator has applied the previous one (a successful reload or live update
    /// counted), not only once it was routed: with live routes a change is routed long before the reload that
    /// follows it is through, and a change arriving meanwhile waits for that reload, which measures queueing.
    /// </param>
    /// <param name="kinds">Only these kinds of change, in turn (empty: every kind; "policy" and "annotated" need <paramref name="policies"/>).</param>
    public static async Task<int> RunAsync(RigSettings settings, int[] sizes, int changes, TimeSpan gap, int warmup, bool settle = false, bool policies = false, string[]? kinds = null)
    {
        string[] allKinds = policies ? ["new host", "switch", "endpoints", "policy", "annotated"] : ["new host", "switch", "endpoints"];
        string[] rotation = kinds is { Length: > 0 } ? [.. kinds.Select(k => k.Replace('-', ' '))] : allKinds;
        if (rotation.Except(allKinds).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"--kinds: unknown kind \"{unknown}\" (known: {string.Join(", ", allKinds.Select(k => k.Replace(' ', '-')))})");
        }

        Console.WriteLine($"machine: {Machine.Describe()}");
        Console.WriteLine($"settings: {settings.Describe()}; {changes} measured changes per size after {warmup} warm-up changes, {gap.TotalMilliseconds:F0} ms apart (after each was observed{(settle ? " and applied" : string.Empty)})");
        var table = new StringBuilder();
        table.AppendLine("| Ingresses | changes | p50 ms | p90 ms | p99 ms | max ms | new host p50 / p99 ms | switch p50 / p99 ms | endpoints p50 / p99 ms | policy edit p50 / p99 ms | annotated Ingress edit p50 / p99 ms | failed | → staged p50 ms | → swapped p50 ms | reloads | build ms | render ms | sync ms | CPU per change: operator / nginx -t / nginx master ms | operator GCs gen0/1/2 over the changes | nginx -t ms | ready after start s | load average (start → end) |");
        table.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        bool met = true;
        foreach (int size in sizes)
        {
            string loadBefore = Machine.LoadAverage();
            await using var rig = await OperatorRig.StartAsync(settings, $"latency-{size}", size, (api, backends) =>
            {
                api.Upsert(BenchWorld.ProbeIngress("switch", "switch.bench", backends[0]));
                api.Upsert(Kube.Ingress("moving", "default").WithPath("endpoints.bench", "/", "Prefix", "moving", 80));
                api.Upsert(Kube.Service("moving", "default"));
                api.Upsert(MovingSlice(backends[0]));
                if (policies)
                {
                    api.ServePolicies();
                    api.Upsert(BenchWorld.ProbeIngress("split", "split.bench", backends[0]));
                    api.Upsert(SplitPolicy(backends[0], 0));
                    api.Upsert(AnnotatedIngress(backends[0], 0));
                }
            });
            Console.Error.WriteLine($"[latency-{size}] ready {rig.StartToReady.TotalSeconds:F1} s after start ({Machine.Stamp()})");
            if (await rig.WaitRoutedAsync("switch.bench", "/", rig.Backends[0].Name, TimeSpan.FromSeconds(60)) is null)
            {
                throw new InvalidOperationException("switch.bench never routed to " + rig.Backends[0].Name);
            }

            var samples = new List<(string Kind, double Ms)>();
            var stages = new List<(double Staged, double Swapped)>();
            int failed = 0;
            int current = 0;
            int moved = 0;
            int split = 0;
            int annotated = 0;
            PrometheusText? before = null;
            (double Own, double Children) operatorCpu = default, nginxCpu = default;
            using var csv = new StreamWriter(Path.Combine(rig.Directory, "latency.csv"));
            await csv.WriteLineAsync("change,kind,routed_ms,staged_ms,swapped_ms");
            for (int k = -warmup; k < changes; k++)
            {
                if (k == 0)
                {
                    await Task.Delay(gap);
                    before = await rig.ScrapeAsync();
                    (operatorCpu, nginxCpu) = (OperatorRig.Cpu(rig.OperatorPid), OperatorRig.Cpu(rig.NginxPid));
                }

                await Task.Delay(gap);
                double appliedBefore = Applied(await rig.ScrapeAsync());
                int index = k + warmup;
                string kind = rotation[index % rotation.Length];
                IKubernetesObject<V1ObjectMeta> change;
                string host;
                string expected;
                (string Name, string Value)? header = null;
                if (kind == "new host")
                {
                    var backend = rig.Backends[index / rotation.Length % rig.Backends.Count];
                    host = $"lat-{index}.bench";
                    change = BenchWorld.ProbeIngress($"lat-{index}", host, backend);
                    expected = backend.Name;
                }
                else if (kind == "endpoints")
                {
                    moved = (moved + 1) % rig.Backends.Count;
                    host = "endpoints.bench";
                    change = MovingSlice(rig.Backends[moved]);
                    expected = rig.Backends[moved].Name;
                }
                else if (kind == "policy")
                {
                    split = (split + 1) % rig.Backends.Count;
                    host = "split.bench";
                    change = SplitPolicy(rig.Backends[split], index);
                    expected = rig.Backends[split].Name;
                    header = ("X-Bench-Edit", index.ToString(CultureInfo.InvariantCulture));
                }
                else if (kind == "annotated")
                {
                    annotated = (annotated + 1) % rig.Backends.Count;
                    host = "annotated.bench";
                    change = AnnotatedIngress(rig.Backends[annotated], index);
                    expected = rig.Backends[annotated].Name;
                }
                else
                {
                    current = (current + 1) % rig.Backends.Count;
                    host = "switch.bench";
                    change = BenchWorld.ProbeIngress("switch", host, rig.Backends[current]);
                    expected = rig.Backends[current].Name;
                }

                using var stopTimeline = new CancellationTokenSource();
                long started = Stopwatch.GetTimestamp();
                var timeline = TimelineAsync(rig, started, stopTimeline.Token);
                rig.Cluster.UpsertAll(change);
                var took = await rig.WaitRoutedAsync(host, "/", expected, TimeSpan.FromSeconds(30), started, header: header);
                await stopTimeline.CancelAsync();
                var (staged, swapped) = await timeline;
                if (settle)
                {
                    var settleClock = Stopwatch.StartNew();
                    while (Applied(await rig.ScrapeAsync()) <= appliedBefore && settleClock.Elapsed < TimeSpan.FromSeconds(60))
                    {
                        await Task.Delay(50);
                    }
                }
                if (k < 0)
                {
                    continue;
                }

                if (took is { } t)
                {
                    samples.Add((kind, t.TotalMilliseconds));
                    if (kind != "endpoints")
                    {
                        stages.Add((staged, swapped));
                    }

                    await csv.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{k},{kind},{t.TotalMilliseconds:F1},{staged:F1},{swapped:F1}"));
                }
                else
                {
                    failed++;
                    await csv.WriteLineAsync($"{k},{kind},timeout");
                    Console.Error.WriteLine($"[latency-{size}] change {k} ({kind}) not routed within 30 s");
                }
            }

            var after = await rig.ScrapeAsync();
            var (operatorEnd, nginxEnd) = (OperatorRig.Cpu(rig.OperatorPid), OperatorRig.Cpu(rig.NginxPid));
            int measured = Math.Max(1, samples.Count);
            string cpu = string.Create(CultureInfo.InvariantCulture,
                $"{(operatorEnd.Own - operatorCpu.Own) / measured:F0} / {(operatorEnd.Children - operatorCpu.Children) / measured:F0} / {(nginxEnd.Own - nginxCpu.Own) / measured:F0}");
            string loadAfter = Machine.LoadAverage();
            double reloads = after.Sum("portico_reloads_total", "result=\"success\"") - before!.Sum("portico_reloads_total", "result=\"success\"");
            double validate = NginxCheckMs(rig);
            string gcs = string.Join("/", Enumerable.Range(0, 3).Select(g => (after.Sum("dotnet_collection_count_total", $"generation=\"{g}\"") - before.Sum("dotnet_collection_count_total", $"generation=\"{g}\"")).ToString("F0", CultureInfo.InvariantCulture)));
            var all = samples.Select(s => s.Ms).Order().ToList();
            var fresh = samples.Where(s => s.Kind == "new host").Select(s => s.Ms).Order().ToList();
            var switched = samples.Where(s => s.Kind == "switch").Select(s => s.Ms).Order().ToList();
            var endpoints = samples.Where(s => s.Kind == "endpoints").Select(s => s.Ms).Order().ToList();
            var policy = samples.Where(s => s.Kind == "policy").Select(s => s.Ms).Order().ToList();
            var annotatedEdits = samples.Where(s => s.Kind == "annotated").Select(s => s.Ms).Order().ToList();
            double p99 = Machine.Percentile(all, 99);
            met &= failed == 0 && p99 < 1000;
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {samples.Count} | {Machine.Ms(Machine.Percentile(all, 50))} | {Machine.Ms(Machine.Percentile(all, 90))} | {Machine.Ms(p99)} | {Machine.Ms(all.Count == 0 ? double.NaN : all[^1])} " +
                $"| {Machine.Ms(Machine.Percentile(fresh, 50))} / {Machine.Ms(Machine.Percentile(fresh, 99))} | {Machine.Ms(Machine.Percentile(switched, 50))} / {Machine.Ms(Machine.Percentile(switched, 99))} | {Machine.Ms(Machine.Percentile(endpoints, 50))} / {Machine.Ms(Machine.Percentile(endpoints, 99))} " +
                $"| {Machine.Ms(Machine.Percentile(policy, 50))} / {Machine.Ms(Machine.Percentile(policy, 99))} | {Machine.Ms(Machine.Percentile(annotatedEdits, 50))} / {Machine.Ms(Machine.Percentile(annotatedEdits, 99))} " +
                $"| {failed} | {Machine.Ms(Machine.Percentile([.. stages.Select(x => x.Staged).Where(double.IsFinite).Order()], 50))} | {Machine.Ms(Machine.Percentile([.. stages.Select(x => x.Swapped).Where(double.IsFinite).Order()], 50))} | {reloads:F0} | {Machine.Ms(PrometheusText.MeanMs(before, after, "portico_build_duration_seconds"))} | {Machine.Ms(PrometheusText.MeanMs(before, after, "portico_render_duration_seconds"))} " +
                $"| {Machine.Ms(PrometheusText.MeanMs(before, after, "portico_sync_duration_seconds"))} | {cpu} | {gcs} | {Machine.Ms(validate)} | {rig.StartToReady.TotalSeconds:F1} | {loadBefore} → {loadAfter} |"));
            double Prepared(string outcome) => after.Sum("portico_prepared_builds_total", $"outcome=\"{outcome}\"") - before.Sum("portico_prepared_builds_total", $"outcome=\"{outcome}\"");
            Console.Error.WriteLine($"[latency-{size}] builds prepared while the holdoff ran: {Prepared("used"):F0} used, {Prepared("discarded"):F0} discarded");
            double Plans(string outcome) => after.Sum("portico_ingress_plans_total", $"outcome=\"{outcome}\"") - before.Sum("portico_ingress_plans_total", $"outcome=\"{outcome}\"");
            Console.Error.WriteLine($"[latency-{size}] Ingress plans of the full builds: {Plans("reused"):F0} reused, {Plans("planned"):F0} planned");
            Console.Error.WriteLine($"[latency-{size}] done ({Machine.Stamp()})");
        }

        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine();
        Console.WriteLine("→ staged: the new version directory complete (holdoff, build, render, write); → swapped: `current` points at it (after nginx -t); routed: after the reload signal and nginx's reload.");
        Console.WriteLine("CPU per change: CPU time over the measured changes / their number, from /proc: the operator's own; its children's (the nginx -t runs); the nginx master's own (parsing the new config on reload). Load-independent, unlike wall times.");
        Console.WriteLine("build/render/sync: means of the operator's own histograms over the measured changes (sync = first change seen -> new config confirmed); nginx -t: median of 3 runs on the final config.");
        Console.WriteLine(met ? "target met: p99 under 1 s at every size, no change lost" : "TARGET MISSED: p99 of 1 s or more (or a change not routed within 30 s)");
        return met ? 0 : 1;
    }

    /// <summary>
    /// Where a change is, seen from the shared directory (polled every ~2 ms): when its version directory is complete
    /// (holdoff, build, render, write done) and when <c>current</c> points at it (after `nginx -t`, before the
    /// reload signal and any minimum-interval wait). Milliseconds since <paramref name="started"/>; NaN if not seen.
    /// </summary>
    /// <summary>Successful applies so far: reloads and live updates.</summary>
    private static double Applied(PrometheusText metrics) =>
        metrics.Sum("portico_reloads_total", "result=\"success\"") + metrics.Sum("portico_live_updates_total", "result=\"success\"");

    /// <summary>The one EndpointSlice of Service "moving", pointing at <paramref name="backend"/>.</summary>
    private static V1EndpointSlice MovingSlice(TestBackend backend) => Kube.Slice("moving", null, backend.Port, ["127.0.0.1"], "default", "moving-x");

    /// <summary>
    /// The IngressPolicy of Ingress "split": its whole trafficSplit goes to the probe Service of <paramref name="backend"/>,
    /// and responses carry the edit's number (so that every edit changes the policy, not only the backend).
    /// </summary>
    private static IngressPolicy SplitPolicy(TestBackend backend, int edit) => new()
    {
        Metadata = new V1ObjectMeta { Name = "split", NamespaceProperty = "default", Uid = "0b2c1d3e-4f50-4a61-8b72-93a4b5c6d7e8", CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Spec = new IngressPolicySpec
        {
            TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = "split" },
            ResponseHeaders = new HeaderModifier { Set = [new HeaderValue { Name = "X-Bench-Edit", Value = edit.ToString(CultureInfo.InvariantCulture) }] },
            TrafficSplit = [new TrafficSplitBackend { Service = new ServicePortRef { Name = BenchWorld.ProbeService(backend), Port = 80 }, Weight = 100 }],
        },
    };

    /// <summary>Ingress "annotated" routing to the probe Service of <paramref name="backend"/>, with a body-size limit that changes per edit.</summary>
    private static V1Ingress AnnotatedIngress(TestBackend backend, int edit) =>
        BenchWorld.ProbeIngress("annotated", "annotated.bench", backend)
            .WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", (edit + 1).ToString(CultureInfo.InvariantCulture) + "m");

    private static async Task<(double Staged, double Swapped)> TimelineAsync(OperatorRig rig, long started, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var directory = new VersionedConfigDirectory(rig.Shared);
        string versions = Path.Combine(rig.Shared, VersionedConfigDirectory.VersionsDirectoryName);
        var known = Directory.GetDirectories(versions).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        string? active = directory.ActiveVersion;
        double staged = double.NaN, swapped = double.NaN;
        while (!cancellationToken.IsCancellationRequested && (double.IsNaN(staged) || double.IsNaN(swapped)))
        {
            if (double.IsNaN(staged) && Directory.GetDirectories(versions).Select(Path.GetFileName).Any(v => v![0] != '.' && !known.Contains(v)))
            {
                staged = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            if (double.IsNaN(swapped) && directory.ActiveVersion != active)
            {
                swapped = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                staged = double.IsNaN(staged) ? swapped : staged;
            }

            try
            {
                await Task.Delay(2, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (staged, swapped);
    }

    /// <summary>`nginx -t` on the running configuration, as the operator runs it before a swap: median of three, in ms.</summary>
    private static double NginxCheckMs(OperatorRig rig)
    {
        var runs = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            var result = ChildProcess.Run(rig.Settings.Nginx, "-t", "-q", "-p", rig.Shared.TrimEnd('/') + "/", "-c", "current/nginx.conf", "-e", "stderr");
            runs.Add(result.ExitCode == 0 ? result.Elapsed.TotalMilliseconds : double.NaN);
        }

        return runs.Order().ElementAt(1);
    }
}
