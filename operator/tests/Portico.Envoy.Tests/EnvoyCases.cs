using Google.Protobuf;
using Portico.Cli;
using Portico.Core.Offline;
using Portico.Core.Rendering;
using Portico.TestSupport;

namespace Portico.Envoy.Tests;

/// <summary>
/// The Envoy golden cases: testdata/CASE/ holds the input (input.yaml, or a file "manifests" listing
/// repository-relative paths) and optionally "args" (extra `portico render` flags, one per line; $CASE is the case
/// directory). The same shape as Portico.Tests' golden cases, so a case can move between them.
/// </summary>
internal static class EnvoyCases
{
    public const string Proxy = "envoy";

    public static string TestData => RepositoryPaths.Combine("operator", "tests", "Portico.Envoy.Tests", "testdata");

    /// <summary>Portico.Tests' golden cases, which every proxy renders (their expected/envoy/ is checked there).</summary>
    public static string SharedTestData => RepositoryPaths.Combine("operator", "tests", "Portico.Tests", "testdata");

    public static IEnumerable<string> Names => Directory.EnumerateDirectories(TestData).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal);

    /// <summary>Portico.Tests' cases for Envoy: all but those whose "proxies" file (a feature Envoy does not render yet) leaves Envoy out.</summary>
    public static IEnumerable<string> SharedNames => Directory.EnumerateDirectories(SharedTestData)
        .Where(d => !File.Exists(Path.Combine(d, "proxies")) || File.ReadAllLines(Path.Combine(d, "proxies")).Any(l => l.Trim() == Proxy))
        .Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal);

    /// <summary>Renders a case exactly as `portico render --proxy envoy --manifests INPUT ARGS` would.</summary>
    public static OfflineResult Render(string name) => RenderDirectory(Path.Combine(TestData, name), Proxy);

    /// <summary>Renders one of Portico.Tests' cases for <paramref name="proxy"/>.</summary>
    public static OfflineResult RenderShared(string name, string proxy = Proxy) => RenderDirectory(Path.Combine(SharedTestData, name), proxy);

    private static OfflineResult RenderDirectory(string directory, string proxy)
    {
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

    /// <summary>A rendered file parsed as Envoy reads it (strictly), failing the test when it does not parse.</summary>
    public static IMessage Parse(RenderedConfig config, string path)
    {
        var file = config[path] ?? throw new AssertionException($"{path} was not rendered");
        var problems = new List<string>();
        var message = Schema.EnvoySchemaValidator.ParseFile(path, file.Content, problems);
        Assert.That(problems, Is.Empty, $"{path} does not pass the schema check");
        return message!;
    }
}
