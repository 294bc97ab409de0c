using Portico.Core.Building.Policies;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Docs;

/// <summary>
/// docs/migrating-from-ingress-nginx.md: its annotation table is Portico's annotation table (the supported names are
/// exactly <see cref="IngressNginxAnnotations.Supported"/>; what it calls refused is refused, what it calls warned is
/// warned as not implemented), and its examples go through `portico validate` with the results it shows.
/// </summary>
public sealed class MigratingFromIngressNginxDocTests
{
    private const string NotImplemented = "is not implemented by Portico and is ignored";

    private static readonly MarkdownDoc Doc = MarkdownDoc.Load("docs/migrating-from-ingress-nginx.md");

    private static readonly ObjectRef Ingress = new("Ingress", "shop", "api");

    /// <summary>Each annotation of the table with the status the doc gives it.</summary>
    private static List<(string Name, string Status)> Documented() =>
        [.. MarkdownDoc.Table(Doc.Section("Annotations"), "annotation")
            .SelectMany(row => MarkdownDoc.CodeSpans(row[0]).Select(name => (name, MarkdownDoc.CodeSpans(row[1]).Single())))];

    [Test]
    public void The_supported_annotations_are_exactly_the_code_s()
    {
        var documented = Documented();
        Assert.That(documented.Select(d => d.Status).Distinct(), Is.SubsetOf(new[] { "supported", "refused", "warned" }));
        Assert.That(documented.Select(d => d.Name), Is.Unique);
        Assert.That(documented.Where(d => d.Status == "supported").Select(d => d.Name), Is.EquivalentTo(IngressNginxAnnotations.Supported));
    }

    [Test]
    public void What_the_table_calls_refused_is_an_error_and_never_warned_as_unimplemented()
    {
        Assert.Multiple(() =>
        {
            foreach (var (name, _) in Documented().Where(d => d.Status == "refused"))
            {
                var result = Parse(name, "on");
                Assert.That(result.Diagnostics.Where(d => d.Field == IngressNginxAnnotations.Prefix + name).Select(d => d.Severity), Does.Contain(Severity.Error), name);
                Assert.That(result.Diagnostics.Select(d => d.Message), Has.None.Contains(NotImplemented), name);
                Assert.That(IngressNginxAnnotations.Supported, Does.Not.Contain(name));
            }
        });
    }

    [Test]
    public void The_refused_client_certificate_annotations_deny_every_request()
    {
        Assert.Multiple(() =>
        {
            foreach (var (name, _) in Documented().Where(d => d.Status == "refused" && d.Name.StartsWith("auth-tls-", StringComparison.Ordinal)))
            {
                Assert.That(Parse(name, "on").AccessDenied, Is.True, name);
            }
        });
    }

    [Test]
    public void What_the_table_calls_warned_is_warned_as_not_implemented()
    {
        Assert.Multiple(() =>
        {
            foreach (var (name, _) in Documented().Where(d => d.Status == "warned"))
            {
                var result = Parse(name, "on");
                Assert.That(result.Diagnostics, Has.Some.Matches<Diagnostic>(d => d.Severity == Severity.Warning && d.Field == IngressNginxAnnotations.Prefix + name && d.Message == NotImplemented), name);
                Assert.That(result.AccessDenied, Is.False, name);
            }
        });
    }

    [Test]
    public void Every_marked_command_runs()
    {
        using var sandbox = new DocSandbox();
        DocCommands.RunAll(Doc, sandbox, atLeast: 3);
    }

    [Test]
    public void Every_example_in_docs_examples_is_validated_by_a_marked_command_of_some_doc()
    {
        string docs = RepositoryPaths.Combine("docs");
        var validated = System.IO.Directory.EnumerateFiles(docs, "*.md")
            .SelectMany(path => DocCommands.Marked(MarkdownDoc.Load("docs/" + Path.GetFileName(path))))
            .SelectMany(block => DocCommands.Commands(block.Code))
            .Where(command => command.Contains(" validate ", StringComparison.Ordinal))
            .ToList();
        var examples = System.IO.Directory.EnumerateFiles(Path.Combine(docs, "examples"), "*.yaml", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/'))
            .ToList();
        Assert.That(examples, Is.Not.Empty);
        Assert.That(examples.Where(example => !validated.Any(command => command.Contains(example, StringComparison.Ordinal) || command.Contains(Path.GetDirectoryName(example)!.Replace('\\', '/') + " ", StringComparison.Ordinal))), Is.Empty, "examples no marked `portico validate` reads");
    }

    private static IngressNginxAnnotationResult Parse(string name, string value) =>
        IngressNginxAnnotations.Parse(new Dictionary<string, string> { [IngressNginxAnnotations.Prefix + name] = value }, Ingress);
}
