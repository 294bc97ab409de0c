using System.Globalization;

namespace Portico.Bench.Operator;

/// <summary>"--name value" arguments of the bench verbs, with defaults.</summary>
internal sealed class BenchArguments(string[] args)
{
    public string Text(string name, string fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    public int Int(string name, int fallback) => int.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public double Double(string name, double fallback) => double.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public int[] Ints(string name, string fallback) => [.. Text(name, fallback).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];

    public string[] List(string name, string fallback) => Text(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool Flag(string name) => Array.IndexOf(args, name) >= 0;

    /// <summary>The settings shared by the operator benchmarks.</summary>
    public RigSettings Rig(string mode) => new()
    {
        PorticoDll = Text("--portico", Path.Combine(AppContext.BaseDirectory, "portico.dll")),
        Nginx = Text("--nginx", "/usr/sbin/nginx"),
        Work = Text("--work", Path.Combine(Path.GetTempPath(), "portico-opbench", mode)),
        MinReloadInterval = Text("--min-reload-interval", "1s"),
        Holdoff = Text("--holdoff", "100ms"),
        MaxHoldoff = Text("--max-holdoff", "500ms"),
        ConfirmTimeout = Text("--confirm-timeout", "10s"),
        Validate = !Flag("--no-validate"),
        Local = Flag("--local"),
        Policies = Flag("--policies"),
        WorkerProcesses = Int("--workers", 0),
        ReadyTimeout = TimeSpan.FromSeconds(Int("--ready-timeout", 600)),
    };
}
