using System.Diagnostics;
using System.Text.Json;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Portico.TestSupport;

namespace Portico.Tests.Cli;

/// <summary>
/// `portico plan` as a process on plandata/ (base: the examples; head: a backend switch, a pathType change, a conflict
/// resolved, a new host with a path that needs escaping and a missing Service, a reordered and reformatted file and a
/// ConfigMap): golden files of the three formats (GOLDEN_UPDATE=1 rewrites them), the markdown parsed as GitHub would
/// render it, and --base as a git revision of a throw-away repository.
/// </summary>
public sealed class PlanCliTests
{
    private static string PlanData => RepositoryPaths.Combine("operator", "tests", "Portico.Tests", "plandata");

    private string _work = string.Empty;

    [SetUp]
    public void CreateWorkDirectory()
    {
        _work = Path.Combine(Path.GetTempPath(), $"portico-plan-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public void RemoveWorkDirectory() => Directory.Delete(_work, recursive: true);

    [TestCase("text", "plan.txt")]
    [TestCase("markdown", "plan.md")]
    [TestCase("json", "plan.json")]
    public void Output_matches_the_golden_file(string format, string golden)
    {
        var run = PorticoProcess.Run(PlanData, [], "plan", "--manifests", "head", "--base", "base", "--output", format);
        Assert.That(run.ExitCode, Is.EqualTo(1), run.Stderr);
        string expected = Path.Combine(PlanData, "expected", golden);
        if (Environment.GetEnvironmentVariable(GoldenTests.UpdateVariable) == "1")
        {
            File.WriteAllText(expected, run.Stdout);
        }

        Assert.That(run.Stdout, Is.EqualTo(File.ReadAllText(expected)), $"run with {GoldenTests.UpdateVariable}=1 to accept");
    }

    [Test]
    public void Json_follows_the_contract()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(PlanData, "expected", "plan.json")));
        var root = document.RootElement;
        var switched = root.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("path").GetString() == "/api" && r.GetProperty("host").GetString() == "shop.example.com");
        Assert.That(switched.GetProperty("change").GetString(), Is.EqualTo("changed"));
        Assert.That(switched.GetProperty("pathType").GetString(), Is.EqualTo("Prefix"));
        Assert.That(switched.GetProperty("before").GetProperty("backend").GetProperty("service").GetString(), Is.EqualTo("shop/api"));
        Assert.That(switched.GetProperty("after").GetProperty("backend").GetProperty("service").GetString(), Is.EqualTo("shop/storefront"));
        var added = root.GetProperty("routes").EnumerateArray().First(r => r.GetProperty("change").GetString() == "added");
        Assert.That(added.GetProperty("before").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(root.GetProperty("diagnostics").GetProperty("added").GetArrayLength(), Is.EqualTo(1));
        Assert.That(root.GetProperty("diagnostics").GetProperty("resolved").GetArrayLength(), Is.EqualTo(1));
        Assert.That(root.GetProperty("summary").GetString(), Does.StartWith("4 routes added, 1 removed, 1 changed"));
    }

    [Test]
    public void Markdown_renders_a_table_per_host_with_collapsed_details_and_literal_paths()
    {
        string markdown = File.ReadAllText(Path.Combine(PlanData, "expected", "plan.md"));
        var document = Markdown.Parse(markdown, new MarkdownPipelineBuilder().UsePipeTables().Build());
        var headings = document.Descendants<HeadingBlock>().Where(h => h.Level == 4).Select(Text).ToList();
        Assert.That(headings, Is.EqualTo(new[] { "docs.example.com", "shop.example.com" }));

        var tables = document.Descendants<Table>().ToList();
        Assert.That(tables, Has.Count.EqualTo(headings.Count), "one table per host");
        foreach (var table in tables)
        {
            var rows = table.OfType<TableRow>().ToList();
            Assert.That(rows[0].IsHeader);
            Assert.That(rows.Select(r => r.Count), Is.All.EqualTo(5), "every row has the five columns: no cell broke the table");
        }

        var docsPaths = tables[0].OfType<TableRow>().Skip(1).Select(r => Text((TableCell)r[1])).ToList();
        Assert.That(docsPaths, Does.Contain("/api_v1_"), "underscores stay literal, not emphasis");

        var html = document.Descendants<HtmlBlock>().Select(b => b.Lines.ToString()).ToList();
        Assert.That(html.Count(h => h.StartsWith("<details>", StringComparison.Ordinal)), Is.EqualTo(headings.Count + 2), "details per host, diagnostics introduced and resolved");
        Assert.That(html.Count(h => h.Contains("</details>", StringComparison.Ordinal)), Is.EqualTo(headings.Count + 2));
        Assert.That(markdown, Does.StartWith("<!-- portico-plan -->\n"), "the marker a CI job finds its comment by");
    }

    [Test]
    public void Base_as_a_git_revision_reads_the_same_paths_at_that_revision()
    {
        string repository = Path.Combine(_work, "repo");
        string manifests = Path.Combine(repository, "deploy", "ingress");
        CopyDirectory(Path.Combine(PlanData, "base"), manifests);
        Git(repository, "init", "-q", "-b", "main");
        Git(repository, "add", ".");
        Git(repository, "commit", "-q", "-m", "base");
        Directory.Delete(manifests, recursive: true);
        CopyDirectory(Path.Combine(PlanData, "head"), manifests);

        var run = PorticoProcess.Run(repository, [], "plan", "--manifests", "deploy/ingress", "--base", "main", "--output", "json");
        Assert.That(run.ExitCode, Is.EqualTo(1), run.Stderr);
        Assert.That(run.Stdout, Is.EqualTo(File.ReadAllText(Path.Combine(PlanData, "expected", "plan.json"))), "the same plan as from two directories");

        var same = PorticoProcess.Run(Path.Combine(repository, "deploy"), [], "plan", "--manifests", "ingress/10-shop.yaml", "--base", "HEAD");
        Assert.That(same.ExitCode, Is.EqualTo(1), same.Stderr + same.Stdout);
        Git(repository, "add", ".");
        Git(repository, "commit", "-q", "-m", "head");
        var unchanged = PorticoProcess.Run(repository, [], "plan", "--manifests", "deploy/ingress", "--base", "HEAD");
        Assert.That((unchanged.ExitCode, unchanged.Stdout), Is.EqualTo((0, "no route changes; 0 diagnostics introduced, 0 resolved\n")));

        var newPath = Path.Combine(repository, "new");
        CopyDirectory(Path.Combine(PlanData, "base"), newPath);
        var everythingAdded = PorticoProcess.Run(repository, [], "plan", "--manifests", "new", "--base", "HEAD", "--output", "json");
        Assert.That(everythingAdded.ExitCode, Is.EqualTo(1), everythingAdded.Stderr);
        using var json = JsonDocument.Parse(everythingAdded.Stdout);
        // Every host is new; the any-host exists on both sides (its implied 404 becomes the default backend).
        var changes = json.RootElement.GetProperty("routes").EnumerateArray().Select(r => (r.GetProperty("host").GetString(), r.GetProperty("change").GetString())).ToList();
        Assert.That(changes.Where(c => c.Item1 != string.Empty).Select(c => c.Item2), Is.All.EqualTo("added"));
        Assert.That(changes.Where(c => c.Item1 == string.Empty), Is.EqualTo(new[] { (string.Empty, "changed") }));

        var unknown = PorticoProcess.Run(repository, [], "plan", "--manifests", "deploy/ingress", "--base", "no-such-branch");
        Assert.That(unknown.ExitCode, Is.EqualTo(2));
        Assert.That(unknown.Stderr, Does.StartWith("portico: "));
    }

    [Test]
    public void The_same_manifests_on_both_sides_exit_0_and_unusable_input_exits_2()
    {
        Assert.That(PorticoProcess.Run(PlanData, [], "plan", "--manifests", "base", "--base", "base").ExitCode, Is.EqualTo(0));
        Assert.That(PorticoProcess.Run(PlanData, [], "plan", "--manifests", "base", "--base", "base", "--output", "yaml").ExitCode, Is.EqualTo(2));
        File.WriteAllText(Path.Combine(_work, "bad.yaml"), "kind: [");
        Assert.That(PorticoProcess.Run(PlanData, [], "plan", "--manifests", "base", "--base", Path.Combine(_work, "bad.yaml")).ExitCode, Is.EqualTo(2));
    }

    private static string Text(LeafBlock block) => block.Inline is null ? string.Empty : Text(block.Inline);

    private static string Text(TableCell cell) => string.Concat(cell.Descendants<ParagraphBlock>().Select(Text));

    private static string Text(ContainerInline inline) => string.Concat(inline.Descendants<LiteralInline>().Select(l => l.Content.ToString()));

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static void Git(string directory, params string[] args)
    {
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["-c", "user.name=Portico Test", "-c", "user.email=test@portico.invalid", "-c", "commit.gpgsign=false", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(30)), "git finished within 30 s");
        Assert.That(process.ExitCode, Is.EqualTo(0), $"git {string.Join(' ', args)}: {stderr.Result}");
    }
}
