using System.Text;
using Portico.Core.Applying;
using Portico.Core.Rendering;

namespace Portico.Tests.Applying;

/// <summary>
/// Staging a version links the files the last staged version holds with the same bytes and mode (certificates, keys)
/// instead of writing them again, and writes every other file; each version reads exactly its own files.
/// </summary>
public sealed class VersionedConfigDirectoryTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("portico-versions-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static RenderedConfig Config(string main, string certificate, bool keyPrivate = true)
    {
        var files = new List<RenderedFile>
        {
            new("certs/a.crt", Encoding.ASCII.GetBytes(certificate), IsPrivate: false),
            new("certs/a.key", Encoding.ASCII.GetBytes("key of " + certificate), IsPrivate: keyPrivate),
            new("nginx.conf", Encoding.ASCII.GetBytes(main), IsPrivate: false),
        };
        return new RenderedConfig("nginx", [.. files], RenderedConfig.HashOf(files));
    }

    [Test]
    public void Unchanged_files_are_the_same_file_as_in_the_last_version_and_changed_ones_are_new()
    {
        var directory = new VersionedConfigDirectory(_root);
        string first = directory.Stage(Config("one", "cert"));
        string second = directory.Stage(Config("two", "cert"));
        string third = directory.Stage(Config("three", "other cert"));
        string Path(string version, string file) => System.IO.Path.Combine(directory.VersionDirectory(version), file);

        Assert.That(LinkCount(Path(second, "certs/a.crt")), Is.EqualTo(2), "the unchanged certificate is linked");
        Assert.That(LinkCount(Path(second, "certs/a.key")), Is.EqualTo(2), "the unchanged key is linked");
        Assert.That(LinkCount(Path(second, "nginx.conf")), Is.EqualTo(1));
        Assert.That(File.ReadAllText(Path(first, "nginx.conf")), Is.EqualTo("one"));
        Assert.That(File.ReadAllText(Path(second, "nginx.conf")), Is.EqualTo("two"));
        Assert.That(File.ReadAllText(Path(third, "certs/a.crt")), Is.EqualTo("other cert"), "a changed file is written");
        Assert.That(File.ReadAllText(Path(second, "certs/a.crt")), Is.EqualTo("cert"), "and the earlier versions keep theirs");
        Assert.That(File.GetUnixFileMode(Path(second, "certs/a.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void A_file_whose_mode_changed_or_whose_last_version_is_gone_is_written()
    {
        var directory = new VersionedConfigDirectory(_root);
        string first = directory.Stage(Config("one", "cert"));
        string second = directory.Stage(Config("two", "cert", keyPrivate: false));
        Assert.That(LinkCount(System.IO.Path.Combine(directory.VersionDirectory(second), "certs/a.key")), Is.EqualTo(1), "same bytes, another mode: written");
        Assert.That(File.GetUnixFileMode(System.IO.Path.Combine(directory.VersionDirectory(first), "certs/a.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "the earlier version's key stays private");

        directory.Discard(second);
        string third = directory.Stage(Config("three", "cert", keyPrivate: false));
        Assert.That(File.ReadAllText(System.IO.Path.Combine(directory.VersionDirectory(third), "certs/a.key")), Is.EqualTo("key of cert"), "the last version gone: written");
    }

    /// <summary>How many names the file has (stat's %h): 2 when a version links it from another.</summary>
    private static long LinkCount(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%h", path]) { RedirectStandardOutput = true })!;
        string output = stat.StandardOutput.ReadToEnd();
        Assert.That(stat.WaitForExit(10_000), Is.True, "stat answers within 10 s");
        return long.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
