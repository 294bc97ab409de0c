using Portico.Core.Offline;
using Portico.Options;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Nginx.Tests;

/// <summary>
/// Every golden nginx output (operator/tests/Portico.Tests/testdata/CASE/expected/nginx/) passes <c>nginx -t</c>,
/// and so does manifests/examples rendered now with `portico render`'s default options, so at least one config is
/// always checked. Each is copied to a temporary directory first: nginx -t creates its temp paths and a pid file
/// in its prefix, and must not write into the repository.
/// </summary>
[TestFixture]
public sealed class GoldenOutputTests
{
    private const string Examples = "manifests/examples (rendered with default options)";

    public static IEnumerable<TestCaseData> Configs()
    {
        yield return new TestCaseData(Examples).SetArgDisplayNames("examples-rendered");
        string testdata = RepositoryPaths.Combine("operator", "tests", "Portico.Tests", "testdata");
        if (!Directory.Exists(testdata))
        {
            yield break;
        }

        foreach (string directory in Directory.EnumerateDirectories(testdata).Order(StringComparer.Ordinal))
        {
            string expected = Path.Combine(directory, "expected", "nginx");
            if (Directory.Exists(expected))
            {
                yield return new TestCaseData(expected).SetArgDisplayNames("golden-" + Path.GetFileName(directory));
            }
        }
    }

    [TestCaseSource(nameof(Configs))]
    public void Passes_nginx_t(string source)
    {
        var result = source == Examples ? TestExamples() : TestCopyOf(source);
        Assert.That(result.Succeeded, Is.True, $"{source}: {result}");
        Assert.That(result.Output, Does.Contain("test is successful"));
    }

    private static NginxTestResult TestExamples()
    {
        var options = OptionsResolver.Resolve(new PorticoOptions());
        var result = OfflinePipeline.Render(
            [RepositoryPaths.Combine("manifests", "examples")],
            options.Build,
            options.ProxySettings,
            options.Proxy.CreateRenderer(options.TemplatesDirectory));
        Assert.That(result.Model.ServedIngresses, Is.Not.Empty, "the examples serve something");
        return NginxProcess.Test(result.Config);
    }

    private static NginxTestResult TestCopyOf(string expected)
    {
        Assert.That(File.Exists(Path.Combine(expected, "nginx.conf")), Is.True, expected + " has no nginx.conf");
        string copy = NginxProcess.CreateTemporaryDirectory();
        try
        {
            foreach (string file in Directory.EnumerateFiles(expected, "*", SearchOption.AllDirectories))
            {
                string target = Path.Combine(copy, Path.GetRelativePath(expected, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            return NginxProcess.Test(copy);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
