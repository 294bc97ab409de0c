using System.Text;
using Portico.Cli;
using Portico.Core.Offline;
using Portico.Core.Output;
using Portico.Core.Proxies;
using Portico.TestSupport;

namespace Portico.Tests;

/// <summary>
/// Golden tests: testdata/CASE/ holds the input (input.yaml, or a file "manifests" listing repository-relative
/// paths) and optionally "args" (extra `portico render` flags, one per line). Each case goes through the same
/// option parsing and pipeline as `portico render`, and must produce exactly expected/PROXY/* and
/// expected/diagnostics.txt. Set GOLDEN_UPDATE=1 to rewrite the expectations; a mismatch prints a unified diff.
/// </summary>
public sealed class GoldenTests
{
    public const string UpdateVariable = "GOLDEN_UPDATE";

    public static string TestData => Path.Combine(RepositoryPaths.Root, "operator", "tests", "Portico.Tests", "testdata");

    /// <summary>
    /// Every case for every proxy, or for the proxies a case's "proxies" file lists (one per line): a case of a feature
    /// one renderer does not have yet.
    /// </summary>
    public static IEnumerable<TestCaseData> Cases() =>
        Directory.EnumerateDirectories(TestData).Order(StringComparer.Ordinal).SelectMany(directory =>
            ProxiesOf(directory).Select(proxy => new TestCaseData(Path.GetFileName(directory), proxy).SetName($"Golden {Path.GetFileName(directory)} ({proxy})")));

    public static IEnumerable<string> ProxiesOf(string directory)
    {
        string list = Path.Combine(directory, "proxies");
        var all = ProxyKind.All.Select(kind => kind.Name);
        return File.Exists(list) ? all.Intersect(File.ReadAllLines(list).Select(l => l.Trim())) : all;
    }

    [TestCaseSource(nameof(Cases))]
    public void Rendered_output_matches_the_expectation(string name, string proxy)
    {
        var result = Render(name, proxy);
        string caseDirectory = Path.Combine(TestData, name);
        string expectedFiles = Path.Combine(caseDirectory, "expected", proxy);
        // Diagnostics are shared by the proxies (expected/diagnostics.txt, nginx's), except where a proxy adds its
        // own (what it cannot enforce): then expected/diagnostics.PROXY.txt holds that proxy's.
        string sharedDiagnostics = Path.Combine(caseDirectory, "expected", "diagnostics.txt");
        string ownDiagnostics = Path.Combine(caseDirectory, "expected", $"diagnostics.{proxy}.txt");
        string diagnostics = DiagnosticsText(result);

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            if (Directory.Exists(expectedFiles))
            {
                Directory.Delete(expectedFiles, recursive: true);
            }

            OutputDirectory.Write(expectedFiles, result.Config);
            string shared = proxy == "nginx" ? diagnostics : DiagnosticsText(Render(name, "nginx"));
            File.WriteAllText(sharedDiagnostics, shared);
            if (diagnostics == shared)
            {
                File.Delete(ownDiagnostics);
            }
            else
            {
                File.WriteAllText(ownDiagnostics, diagnostics);
            }
        }

        string expectedDiagnostics = File.Exists(ownDiagnostics) ? ownDiagnostics : sharedDiagnostics;

        Assert.That(Directory.Exists(expectedFiles), $"no expectation for {name}/{proxy}; run with {UpdateVariable}=1 to create it");
        string diff = ConfigDiff.Between(expectedFiles, result.Config);
        Assert.That(diff, Is.Empty, $"rendered {proxy} config of {name} differs from {expectedFiles} (run with {UpdateVariable}=1 to accept):\n{diff}");
        Assert.That(diagnostics, Is.EqualTo(File.ReadAllText(expectedDiagnostics)), $"diagnostics of {name} differ");
    }

    [Test]
    public void Every_case_declares_its_input()
    {
        foreach (string directory in Directory.EnumerateDirectories(TestData))
        {
            bool hasInput = File.Exists(Path.Combine(directory, "input.yaml")) || File.Exists(Path.Combine(directory, "manifests"));
            Assert.That(hasInput, $"{directory} has neither input.yaml nor manifests");
        }
    }

    /// <summary>
    /// Diagnostics as lines. They name manifest files as given on the command line; here that is an absolute path, so
    /// the repository root is cut off to keep expectations the same on every machine.
    /// </summary>
    private static string DiagnosticsText(OfflineResult result) =>
        string.Concat(result.Diagnostics.Select(d => d + "\n")).Replace(RepositoryPaths.Root + "/", string.Empty, StringComparison.Ordinal);

    /// <summary>Renders a case exactly as `portico render --manifests INPUT --proxy PROXY ARGS` would.</summary>
    public static OfflineResult Render(string name, string proxy)
    {
        string directory = Path.Combine(TestData, name);
        var args = new List<string> { "render", "--out", "unused", "--proxy", proxy, "--manifests" };
        string manifestList = Path.Combine(directory, "manifests");
        args.AddRange(File.Exists(manifestList)
            ? File.ReadAllLines(manifestList).Where(l => l.Trim().Length > 0).Select(l => RepositoryPaths.Combine(l.Trim()))
            : [Path.Combine(directory, "input.yaml")]);
        string argsFile = Path.Combine(directory, "args");
        if (File.Exists(argsFile))
        {
            args.AddRange(File.ReadAllLines(argsFile).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
                .SelectMany(l => l.Split(' ', 2)).Select(a => a.Replace("$CASE", directory, StringComparison.Ordinal)));
        }

        var parseResult = PorticoCli.Create().Parse(args);
        Assert.That(parseResult.Errors, Is.Empty, string.Join("; ", parseResult.Errors.Select(e => e.Message)));
        var options = InputOptions.Resolve(parseResult);
        var renderer = options.Proxy.CreateRenderer(options.TemplatesDirectory);
        return OfflinePipeline.Render(parseResult.GetRequiredValue(InputOptions.Manifests), options.Build, options.ProxySettings, renderer);
    }
}
