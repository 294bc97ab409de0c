using System.Reflection;
using System.Text.RegularExpressions;
using Portico.Observability;
using Portico.TestSupport;
using Prometheus;

namespace Portico.Tests.Docs;

/// <summary>docs/operations.md: its metric table is the code's metrics (names, types, labels), both ways; its commands run.</summary>
public sealed partial class OperationsDocTests
{
    private static readonly MarkdownDoc Doc = MarkdownDoc.Load("docs/operations.md");

    [Test]
    public void The_metric_table_names_exactly_the_metrics_the_code_creates()
    {
        var documented = MarkdownDoc.Table(Doc.Section("Metrics"), "metric").Select(row => MarkdownDoc.CodeSpans(row[0]).Single()).ToList();
        var created = System.IO.Directory.EnumerateFiles(RepositoryPaths.Combine("operator", "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .SelectMany(f => CreateCall().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToList();
        Assert.That(created, Is.Not.Empty);

        // The process's and the runtime's series (ProcessMetrics) are named in the endpoint table, not in the metric table.
        var runtime = created.Where(n => n.StartsWith("process_", StringComparison.Ordinal) || n.StartsWith("dotnet_", StringComparison.Ordinal)).ToList();
        Assert.That(runtime, Is.Not.Empty);
        Assert.That(runtime.Where(n => !Doc.Text.Contains($"`{n}`", StringComparison.Ordinal)), Is.Empty, "process and runtime series named in docs/operations.md");
        Assert.That(documented, Is.EquivalentTo(created.Except(runtime)));
    }

    [Test]
    public void Each_documented_metric_has_the_type_and_labels_of_the_code()
    {
        var metrics = new PorticoMetrics(Metrics.NewCustomRegistry());
        var collectors = typeof(PorticoMetrics).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => typeof(Collector).IsAssignableFrom(p.PropertyType))
            .Select(p => (Collector)p.GetValue(metrics)!)
            .ToDictionary(c => c.Name);
        Assert.Multiple(() =>
        {
            foreach (var row in MarkdownDoc.Table(Doc.Section("Metrics"), "metric"))
            {
                string name = MarkdownDoc.CodeSpans(row[0]).Single();
                if (!collectors.TryGetValue(name, out var collector))
                {
                    Assert.Fail($"{name} is not a property of PorticoMetrics");
                    continue;
                }

                string type = collector switch { Counter => "counter", Gauge => "gauge", Histogram => "histogram", _ => "?" };
                Assert.That(row[1], Is.EqualTo(type), $"type of {name}");
                Assert.That(MarkdownDoc.CodeSpans(row[2]), Is.EqualTo(collector.LabelNames), $"labels of {name}");
            }
        });
    }

    [Test]
    public void Every_marked_command_runs()
    {
        using var sandbox = new DocSandbox();
        DocCommands.RunAll(Doc, sandbox, atLeast: 2);
    }

    [GeneratedRegex("""\.Create(?:Counter|Gauge|Histogram|Summary)\(\s*"([a-z_:][a-z0-9_:]*)""")]
    private static partial Regex CreateCall();
}
