using k8s;
using Portico.Core.Kubernetes;
using Portico.Core.Manifests;
using Portico.TestSupport;

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

    [Test]
    public void Files_with_the_size_and_time_they_had_are_not_read_again_unless_modified_close_to_a_reading()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new ManualTimeProvider(t0.AddHours(1));
        Write("a.yaml", Ingress("a", "a.example"), t0);
        Write("b.yaml", Ingress("b", "b.example"), t0);
        var cache = new ManifestFileCache(KindRegistry.Default, clock);
        cache.Read([_directory]);
        Assert.That((cache.LastReadFiles, cache.LastParsed), Is.EqualTo((2, 2)));

        cache.Read([_directory]);
        Assert.That((cache.LastReadFiles, cache.LastParsed), Is.EqualTo((0, 0)), "old and unchanged: only looked at");

        // Modified a second before the reading: a later write could share its timestamp, so it is read every time.
        Write("b.yaml", Ingress("b", "c.example"), clock.GetUtcNow().AddSeconds(-1));
        AssertSameAsFullReading(cache.Read([_directory]));
        Assert.That((cache.LastReadFiles, cache.LastParsed), Is.EqualTo((1, 1)));
        Write("b.yaml", Ingress("b", "d.example"), clock.GetUtcNow().AddSeconds(-1));
        var same = cache.Read([_directory]);
        AssertSameAsFullReading(same);
        Assert.That((cache.LastReadFiles, cache.LastParsed), Is.EqualTo((1, 1)), "same size, same time, new content: found because the file was racy");
        Assert.That(same.Objects.Select(Host), Does.Contain("d.example"));

        clock.Advance(TimeSpan.FromHours(1));
        cache.Read([_directory]);
        Assert.That((cache.LastReadFiles, cache.LastParsed), Is.EqualTo((1, 0)), "read once more, now long after its time");
        cache.Read([_directory]);
        Assert.That((cache.LastReadFiles, cache.LastParsed), Is.EqualTo((0, 0)), "then trusted");

        Write("a.yaml", Ingress("a", "longer-name.example"), t0);
        AssertSameAsFullReading(cache.Read([_directory]));
        Assert.That((cache.LastReadFiles, cache.LastParsed), Is.EqualTo((1, 1)), "another size, even with the old time");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Updating_from_the_changed_paths_equals_a_full_reading_after_every_step(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 20; i++)
        {
            Write($"app-{i}.yaml", Ingress($"app-{i}", $"app-{i}.example"));
        }

        var cache = new ManifestFileCache(KindRegistry.Default);
        string[] roots = [_directory];
        cache.Read(roots);
        int updates = 0, narrow = 0;
        bool rescan = false;
        for (int step = 0; step < 150; step++)
        {
            string[] touched = Mutate(random);
            ManifestSet updated;
            try
            {
                updated = rescan ? cache.Read(roots) : cache.Update(roots, touched);
            }
            catch (ManifestException)
            {
                Assert.Throws<ManifestException>(() => ManifestReader.Read(roots), $"seed {seed} step {step}: a full reading fails as well");
                rescan = true; // as the source does after a failed reading
                continue;
            }

            AssertSameAsFullReading(updated, $"seed {seed} step {step} after {string.Join(", ", touched)}");
            narrow += !rescan && cache.LastReadFiles <= touched.Length ? 1 : 0;
            updates += rescan ? 0 : 1;
            rescan = false;
        }

        Assert.That(narrow, Is.GreaterThan(updates / 2), "most updates read only the touched files");
    }

    [Test]
    public void An_update_reads_only_the_named_file_and_says_whether_anything_changed()
    {
        for (int i = 0; i < 10; i++)
        {
            Write($"app-{i}.yaml", Ingress($"app-{i}", $"app-{i}.example"));
        }

        var cache = new ManifestFileCache(KindRegistry.Default);
        cache.Read([_directory]);
        Write("app-3.yaml", Ingress("app-3", "moved.example"));
        var updated = cache.Update([_directory], [Path.Combine(_directory, "app-3.yaml")]);
        Assert.That((cache.LastReadFiles, cache.LastParsed, cache.LastChanged), Is.EqualTo((1, 1, true)));
        Assert.That(updated.Objects.Select(Host), Does.Contain("moved.example"));

        Write(".app-3.yaml.swp", "junk");
        cache.Update([_directory], [Path.Combine(_directory, ".app-3.yaml.swp"), Path.Combine(_directory, "notes.txt")]);
        Assert.That((cache.LastReadFiles, cache.LastChanged), Is.EqualTo((0, false)), "hidden files and other extensions are not manifests");

        Write("app-4.yaml", Ingress("app-4", "app-4.example"));
        cache.Update([_directory], [Path.Combine(_directory, "app-4.yaml")]);
        Assert.That((cache.LastReadFiles, cache.LastParsed, cache.LastChanged), Is.EqualTo((1, 0, false)), "written again with the same content");
    }

    /// <summary>One random change to the directory; the paths a file system watcher would name for it.</summary>
    private string[] Mutate(Random random)
    {
        string[] folders = [string.Empty, "sub", "sub/deeper", ".hidden"];
        string[] extensions = [".yaml", ".yml", ".json", ".txt", ".YAML"];
        string RandomFile() => Path.Combine(_directory, folders[random.Next(folders.Length)], (random.NextDouble() < 0.1 ? "." : string.Empty) + "f" + random.Next(12) + extensions[random.Next(extensions.Length)]);
        string[] existing = [.. Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories)];
        string Content(string name) => random.NextDouble() < 0.05 ? "kind: [unclosed" : Ingress(name, $"{name}-{random.Next(5)}.example");
        switch (random.Next(6))
        {
            case 0 or 1:
            {
                string file = existing.Length > 0 && random.NextDouble() < 0.6 ? existing[random.Next(existing.Length)] : RandomFile();
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllText(file, Content("w" + random.Next(30)));
                return [file];
            }

            case 2 when existing.Length > 0:
            {
                string file = existing[random.Next(existing.Length)];
                File.Delete(file);
                return [file];
            }

            case 3 when existing.Length > 0:
            {
                string from = existing[random.Next(existing.Length)], to = RandomFile();
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Move(from, to, overwrite: true);
                return [from, to];
            }

            case 4:
            {
                // A directory of files moved in at once: the watcher names only the directory.
                string folder = Path.Combine(_directory, "sub", "batch" + random.Next(3));
                Directory.CreateDirectory(folder);
                File.WriteAllText(Path.Combine(folder, "b.yaml"), Content("b" + random.Next(30)));
                return [folder];
            }

            default:
            {
                // An editor's save: a temporary file renamed over the real one.
                string file = existing.Length > 0 ? existing[random.Next(existing.Length)] : RandomFile();
                string temporary = Path.Combine(Path.GetDirectoryName(file)!, "." + Path.GetFileName(file) + ".tmp");
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllText(temporary, Content("e" + random.Next(30)));
                File.Move(temporary, file, overwrite: true);
                return [temporary, temporary, file];
            }
        }
    }

    private void AssertSameAsFullReading(ManifestSet cached, string? context = null)
    {
        var full = ManifestReader.Read([_directory]);
        Assert.That(Serialized(cached), Is.EqualTo(Serialized(full)), context);
        Assert.That(cached.Diagnostics, Is.EqualTo(full.Diagnostics), context);
    }

    private static List<string> Serialized(ManifestSet set) =>
        [.. set.Objects.Select(o => $"{o.File}:{o.Line} {KubernetesJson.Serialize(o.Value)}")];

    private static string? Host(ManifestObject item) => (item.Value as k8s.Models.V1Ingress)?.Spec.Rules[0].Host;

    private void Write(string name, string text, DateTimeOffset? modified = null)
    {
        string path = Path.Combine(_directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        if (modified is { } time)
        {
            File.SetLastWriteTimeUtc(path, time.UtcDateTime);
        }
    }

    private static string Ingress(string name, string host) =>
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\n" +
        $"metadata: {{name: {name}, namespace: default}}\n" +
        "spec:\n  ingressClassName: portico\n  rules:\n" +
        $"  - host: {host}\n    http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: {name}, port: {{number: 80}}}}}}}}]}}\n";
}
