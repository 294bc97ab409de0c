using System.Text.RegularExpressions;
using Portico.TestSupport;

namespace Portico.Tests.Docs;

/// <summary>README.md: its documentation list links every doc of docs/ (and only files that exist); its offline quick start runs.</summary>
public sealed partial class ReadmeDocTests
{
    private static readonly MarkdownDoc Readme = MarkdownDoc.Load("README.md");

    [Test]
    public void The_documentation_list_links_every_doc_and_nothing_missing()
    {
        var links = Link().Matches(Readme.Section("Documentation")).Select(m => m.Groups[1].Value).ToList();
        var docs = Directory.EnumerateFiles(RepositoryPaths.Combine("docs"), "*.md").Select(path => "docs/" + Path.GetFileName(path));
        Assert.Multiple(() =>
        {
            Assert.That(docs.Except(links), Is.Empty, "docs/*.md not linked from README.md's documentation list");
            foreach (string link in links)
            {
                Assert.That(File.Exists(RepositoryPaths.Combine(link.Split('/'))), Is.True, $"{link} exists");
            }
        });
    }

    [Test]
    public void Every_marked_command_runs()
    {
        using var sandbox = new DocSandbox();
        DocCommands.RunAll(Readme, sandbox);
    }

    [Test]
    public void Every_doc_with_marked_commands_has_a_fixture_that_runs_them()
    {
        string fixtures = RepositoryPaths.Combine("operator", "tests", "Portico.Tests", "Docs");
        string sources = string.Concat(Directory.EnumerateFiles(fixtures, "*DocTests.cs").Select(File.ReadAllText));
        var marked = Directory.EnumerateFiles(RepositoryPaths.Combine("docs"), "*.md")
            .Select(path => "docs/" + Path.GetFileName(path))
            .Where(doc => DocCommands.Marked(MarkdownDoc.Load(doc)).Count > 0);
        Assert.That(marked.Where(doc => !sources.Contains($"\"{doc}\"", StringComparison.Ordinal)), Is.Empty, "docs whose marked commands no fixture in Docs/ runs");
    }

    [GeneratedRegex(@"\]\(([^)#]+)\)")]
    private static partial Regex Link();
}
