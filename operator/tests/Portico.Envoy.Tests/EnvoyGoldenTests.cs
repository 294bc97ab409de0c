using Portico.Core.Output;
using Portico.Envoy.Schema;

namespace Portico.Envoy.Tests;

/// <summary>
/// Every Envoy golden case renders exactly expected/envoy/* and expected/diagnostics.txt, and passes the strict schema
/// check. Set GOLDEN_UPDATE=1 to rewrite the expectations (not PORTICO_*: those are read as settings); a mismatch
/// prints a unified diff.
/// </summary>
public sealed class EnvoyGoldenTests
{
    public const string UpdateVariable = "GOLDEN_UPDATE";

    public static IEnumerable<TestCaseData> Cases() => EnvoyCases.Names.Select(n => new TestCaseData(n).SetName($"Golden {n} (envoy)"));

    [TestCaseSource(nameof(Cases))]
    public void Rendered_output_matches_the_expectation(string name)
    {
        var result = EnvoyCases.Render(name);
        string caseDirectory = Path.Combine(EnvoyCases.TestData, name);
        string expectedFiles = Path.Combine(caseDirectory, "expected", EnvoyCases.Proxy);
        string expectedDiagnostics = Path.Combine(caseDirectory, "expected", "diagnostics.txt");
        string diagnostics = string.Concat(result.Diagnostics.Select(d => d + "\n"));

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            if (Directory.Exists(expectedFiles))
            {
                Directory.Delete(expectedFiles, recursive: true);
            }

            OutputDirectory.Write(expectedFiles, result.Config);
            File.WriteAllText(expectedDiagnostics, diagnostics);
        }

        Assert.That(Directory.Exists(expectedFiles), $"no expectation for {name}; run with {UpdateVariable}=1 to create it");
        string diff = ConfigDiff.Between(expectedFiles, result.Config);
        Assert.That(diff, Is.Empty, $"rendered envoy config of {name} differs from {expectedFiles} (run with {UpdateVariable}=1 to accept):\n{diff}");
        Assert.That(diagnostics, Is.EqualTo(File.ReadAllText(expectedDiagnostics)), $"diagnostics of {name} differ");
    }

    [TestCaseSource(nameof(Cases))]
    public void Rendered_output_passes_the_strict_schema_check(string name)
    {
        var result = EnvoyCases.Render(name);
        Assert.That(new EnvoySchemaValidator().Validate(result.Config), Is.Empty);
    }

    [Test]
    public void Every_case_declares_its_input()
    {
        foreach (string name in EnvoyCases.Names)
        {
            string directory = Path.Combine(EnvoyCases.TestData, name);
            bool hasInput = File.Exists(Path.Combine(directory, "input.yaml")) || File.Exists(Path.Combine(directory, "manifests"));
            Assert.That(hasInput, $"{directory} has neither input.yaml nor manifests");
        }
    }

    [Test]
    public void Rendering_twice_gives_the_same_bytes()
    {
        foreach (string name in EnvoyCases.Names)
        {
            var first = EnvoyCases.Render(name).Config;
            var second = EnvoyCases.Render(name).Config;
            Assert.That(second.Hash, Is.EqualTo(first.Hash), name);
            Assert.That(second.Files.Select(f => f.Path), Is.EqualTo(first.Files.Select(f => f.Path)), name);
        }
    }
}
