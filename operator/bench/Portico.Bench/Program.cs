using Portico.Bench;
using Portico.Bench.Operator;

// portico-bench render [--sizes 1000,10000] [--runs 3] [--policies] [--work DIR] [--portico PATH/portico.dll] [--portico-env NAME=VALUE,...]
// portico-bench operator [--ingresses 100,1000] [--changes 50] [--warmup 4] [--gap-ms 1100]
// portico-bench churn [--ingresses 100] [--seconds 30] [--rate 50] [--variants none,other,loaded] [--client wrk|httpclient] [--wrk-threads 1] [--connections 16] [--wrk-header "Connection: close"]
// portico-bench operator [--settle]: with --settle each change waits until the operator has applied the previous one
// portico-bench operator [--policies]: an IngressPolicy on every 10th Ingress, and two more kinds of change: an IngressPolicy's trafficSplit moving an Ingress to another backend, an annotated Ingress edit (memory and churn take --policies for the world too)
// portico-bench memory [--ingresses 10000] [--settle 20] [--changes 5]
// portico-bench operator|memory|churn [--local]: local mode, `portico run --manifests DIR` on one file per object (it starts nginx itself)
// portico-bench incremental [--seeds 20] [--steps 1000]: the incremental-rendering property check, longer than CI's
// Operator benchmarks share: [--min-reload-interval 1s] [--holdoff 100ms] [--max-holdoff 500ms] [--no-validate] [--workers 0] [--nginx /usr/sbin/nginx] [--work DIR] [--portico portico.dll]
// Writes Markdown tables for docs/benchmarks.md. Build in Release: dotnet build -c Release, then dotnet operator/bench/Portico.Bench/bin/Release/net10.0/Portico.Bench.dll VERB ...
const string Usage = "usage: portico-bench render|operator|churn|memory|incremental [options] (see Program.cs)";
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var arguments = new BenchArguments(args);
switch (args[0])
{
    case "render":
        return RenderBenchmark.Run(
            arguments.Text("--portico", Path.Combine(AppContext.BaseDirectory, "portico.dll")),
            arguments.List("--portico-env", string.Empty).Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]),
            arguments.Ints("--sizes", "1000,10000"),
            arguments.Text("--work", Path.Combine(Path.GetTempPath(), "portico-bench")),
            arguments.Int("--runs", 3),
            arguments.Flag("--policies"));
    case "operator" or "latency":
        return await LatencyBenchmark.RunAsync(
            arguments.Rig("latency"),
            arguments.Ints("--ingresses", "100,1000"),
            arguments.Int("--changes", 50),
            TimeSpan.FromMilliseconds(arguments.Int("--gap-ms", 1100)),
            arguments.Int("--warmup", 4),
            arguments.Flag("--settle"),
            arguments.Flag("--policies"),
            arguments.List("--kinds", string.Empty));
    case "churn":
        return await ChurnBenchmark.RunAsync(
            arguments.Rig("churn"),
            arguments.Int("--ingresses", 100),
            arguments.Int("--seconds", 30),
            arguments.Double("--rate", 50),
            arguments.List("--variants", "none,other,loaded"),
            arguments.Text("--client", "wrk"),
            arguments.Int("--wrk-threads", 1),
            arguments.Int("--connections", 16),
            arguments.Text("--wrk-header", string.Empty));
    case "memory":
        return await MemoryBenchmark.RunAsync(
            arguments.Rig("memory"),
            arguments.Ints("--ingresses", "10000"),
            TimeSpan.FromSeconds(arguments.Int("--settle", 20)), // past the operator's idle memory trim (15 s quiet)
            arguments.Int("--changes", 5));
    case "incremental":
        return IncrementalBenchmark.Run(arguments.Int("--seeds", 20), arguments.Int("--steps", 1000));
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
