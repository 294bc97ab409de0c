using k8s;
using Portico.Core.Kubernetes;
using Portico.Core.Manifests;

namespace Portico.Tests.Offline;

/// <summary>
/// Local mode's incremental reading: after any sequence of edits, new files, deletions and broken files, the cache
/// reads exactly what a full <see cref="ManifestReader"/> reading of the same directory gives, and parses only the
/// files whose content changed.
/// </summary>
public sealed class ManifestFileCacheTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("portico-manifest-cache-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Only_changed_files_are_parsed_and_the_result_equals_a_full_reading()
    {
        for (int i = 0; i < 5; i++)
        {
            Write($"app-{i}.yaml", Ingress($"app-{i}", $"app-{i}.example"));
        }

        var cache = new ManifestFileCache(KindRegistry.Default);
        AssertSameAsFullReading(cache.Read([_directory]));
        Assert.That(cache.LastParsed, Is.EqualTo(5));

        AssertSameAsFullReading(cache.Read([_directory]));
        Assert.That(cache.LastParsed, Is.Zero, "nothing changed");

        Write("app-2.yaml", Ingress("app-2", "moved.example"));
        var edited = cache.Read([_directory]);
        AssertSameAsFullReading(edited);
        Assert.That(cache.LastParsed, Is.EqualTo(1));
        Assert.That(edited.Objects.Select(o => Host(o)), Does.Contain("moved.example").And.No.Contain("app-2.example"));

        File.Delete(Path.Combine(_directory, "app-0.yaml"));
        Write("sub/new.yml", Ingress("new", "new.example") + "---\n" + Ingress("bad", "bad.example").Replace("rules:", "rules: 5\n  x:", StringComparison.Ordinal));
        var changed = cache.Read([_directory]);
        AssertSameAsFullReading(changed);
        Assert.That(cache.LastParsed, Is.EqualTo(1), "the new file; the deleted one is simply gone");
        Assert.That(changed.Objects.Select(o => o.Value.Metadata.Name), Does.Not.Contain("app-0"));
        Assert.That(changed.Diagnostics.Select(d => d.Target.Name), Does.Contain("bad"), "an object that does not fit its kind is a diagnostic, from the cache as well");
    }

    [Test]
    public void A_file_that_does_not_parse_throws_and_leaves_the_cache_as_it_was()
    {
        Write("a.yaml", Ingress("a", "a.example"));
        Write("b.yaml", Ingress("b", "b.example"));
        var cache = new ManifestFileCache(KindRegistry.Default);
        var good = cache.Read([_directory]);

        string original = File.ReadAllText(Path.Combine(_directory, "b.yaml"));
        Write("b.yaml", "kind: [unclosed");
        Assert.Throws<ManifestException>(() => cache.Read([_directory]));

        Write("b.yaml", original);
        var again = cache.Read([_directory]);
        Assert.That(cache.LastParsed, Is.Zero, "b's old content is still known");
        Assert.That(Serialized(again), Is.EqualTo(Serialized(good)));
    }

    private void AssertSameAsFullReading(ManifestSet cached)
    {
        var full = ManifestReader.Read([_directory]);
        Assert.That(Serialized(cached), Is.EqualTo(Serialized(full)));
        Assert.That(cached.Diagnostics, Is.EqualTo(full.Diagnostics));
    }

    private static List<string> Serialized(ManifestSet set) =>
        [.. set.Objects.Select(o => $"{o.File}:{o.Line} {KubernetesJson.Serialize(o.Value)}")];

    private static string? Host(ManifestObject item) => (item.Value as k8s.Models.V1Ingress)?.Spec.Rules[0].Host;

    private void Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string Ingress(string name, string host) =>
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\n" +
        $"metadata: {{name: {name}, namespace: default}}\n" +
        "spec:\n  ingressClassName: portico\n  rules:\n" +
        $"  - host: {host}\n    http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: {name}, port: {{number: 80}}}}}}}}]}}\n";
}
