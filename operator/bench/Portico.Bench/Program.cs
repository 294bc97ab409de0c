using Portico.Bench;

// portico-bench render [--sizes 1000,10000] [--runs 3] [--work DIR] [--portico PATH/portico.dll] [--portico-env NAME=VALUE,...]
// Writes a Markdown table for docs/benchmarks.md. Build in Release: dotnet run -c Release --project operator/bench/Portico.Bench -- render
if (args.Length == 0 || args[0] != "render")
{
    Console.Error.WriteLine("usage: portico-bench render [--sizes 1000,10000] [--runs 3] [--work DIR] [--portico portico.dll] [--portico-env NAME=VALUE,...]");
    return 2;
}

string Option(string name, string fallback)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

int[] sizes = [.. Option("--sizes", "1000,10000").Split(',').Select(int.Parse)];
string work = Option("--work", Path.Combine(Path.GetTempPath(), "portico-bench"));
string portico = Option("--portico", Path.Combine(AppContext.BaseDirectory, "portico.dll"));
int runs = int.Parse(Option("--runs", "3"), System.Globalization.CultureInfo.InvariantCulture);
var environment = Option("--portico-env", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
return RenderBenchmark.Run(portico, environment, sizes, work, runs);
