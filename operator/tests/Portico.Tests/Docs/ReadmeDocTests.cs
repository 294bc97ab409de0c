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

    [GeneratedRegex(@"\]\(([^)#]+)\)")]
    private static partial Regex Link();
}
