using System.Text;
using Portico.Core.Applying;
using Portico.Core.Files;
using Portico.Core.Output;
using Portico.Core.Rendering;

namespace Portico.Tests.Files;

/// <summary>The one writer of rendered files: what it refuses, the modes it leaves, and that it replaces files whole.</summary>
public sealed class ConfinedDirectoryTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private string _work = null!;
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _work = Directory.CreateTempSubdirectory("portico-confined-").FullName;
        _root = Directory.CreateDirectory(Path.Combine(_work, "root")).FullName;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_work, recursive: true);

    [TestCase("../outside")]
    [TestCase("a/../../outside")]
    [TestCase("a/../b")]
    [TestCase("./a")]
    [TestCase("a//b")]
    [TestCase("a/")]
    [TestCase("..")]
    [TestCase("")]
    [TestCase("/etc/portico-test")]
    public void Paths_that_leave_the_root_or_are_not_plain_are_refused(string path)
    {
        var directory = new ConfinedDirectory(_root);

        Assert.Throws<InvalidOperationException>(() => directory.Write(path, "x"u8, Public));
        Assert.That(Directory.EnumerateFileSystemEntries(_work, "*", SearchOption.AllDirectories), Is.EqualTo(new[] { _root }), "nothing written anywhere");
    }

    [Test]
    public void A_symlinked_directory_under_the_root_is_not_followed()
    {
        string outside = Directory.CreateDirectory(Path.Combine(_work, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_root, "certs"), outside);
        var directory = new ConfinedDirectory(_root);

        Assert.Throws<InvalidOperationException>(() => directory.Write("certs/a.key", "secret"u8, Private));
        Assert.That(Directory.EnumerateFileSystemEntries(outside), Is.Empty);
    }

    [Test]
    public void A_file_is_linked_only_from_a_regular_file_and_the_linked_directory_is_never_a_symlink()
    {
        string regular = Path.Combine(_work, "regular.crt");
        File.WriteAllText(regular, "pem");
        string link = Path.Combine(_work, "link.crt");
        File.CreateSymbolicLink(link, regular);
        var directory = new ConfinedDirectory(_root);

        Assert.That(directory.TryLink(regular, "certs/a.crt"), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(_root, "certs", "a.crt")), Is.EqualTo("pem"));
        Assert.That(directory.TryLink(link, "certs/b.crt"), Is.False, "a symlink is not linked (it would point anywhere)");
        Assert.That(directory.TryLink(Path.Combine(_work, "missing.crt"), "certs/c.crt"), Is.False);
        Assert.That(Directory.EnumerateFiles(Path.Combine(_root, "certs")).Select(Path.GetFileName), Is.EqualTo(new[] { "a.crt" }));

        // A directory on the way that is a symlink from the start is refused, even for the second file.
        string outside = Directory.CreateDirectory(Path.Combine(_work, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_root, "keys"), outside);
        Assert.Throws<InvalidOperationException>(() => directory.TryLink(regular, "keys/a.crt"));
        Assert.Throws<InvalidOperationException>(() => directory.TryLink(regular, "keys/b.crt"));
        Assert.That(Directory.EnumerateFileSystemEntries(outside), Is.Empty);
    }

    [Test]
    public void A_symlink_in_place_of_the_file_is_replaced_not_written_through()
    {
        string target = Path.Combine(_work, "target");
        File.WriteAllText(target, "untouched");
        File.CreateSymbolicLink(Path.Combine(_root, "nginx.conf"), target);

        new ConfinedDirectory(_root).Write("nginx.conf", "new"u8, Public);

        Assert.That(File.ReadAllText(target), Is.EqualTo("untouched"));
        Assert.That(new FileInfo(Path.Combine(_root, "nginx.conf")).LinkTarget, Is.Null);
        Assert.That(File.ReadAllText(Path.Combine(_root, "nginx.conf")), Is.EqualTo("new"));
    }

    [Test]
    public void Files_get_their_exact_mode_and_a_private_file_replacing_a_public_one_is_private()
    {
        var directory = new ConfinedDirectory(_root);
        directory.Write("certs/a.crt", "certificate"u8, Public);
        directory.Write("certs/a.key", "was public"u8, Public);

        directory.Write("certs/a.key", "secret"u8, Private);

        Assert.That(File.GetUnixFileMode(Path.Combine(_root, "certs/a.crt")), Is.EqualTo(Public));
        Assert.That(File.GetUnixFileMode(Path.Combine(_root, "certs/a.key")), Is.EqualTo(Private));
        Assert.That(File.ReadAllText(Path.Combine(_root, "certs/a.key")), Is.EqualTo("secret"));
    }

    [Test]
    public void A_file_is_replaced_whole_and_no_temporary_file_is_left()
    {
        var directory = new ConfinedDirectory(_root);
        directory.Write("nginx.conf", "old"u8, Public);
        var before = new FileInfo(Path.Combine(_root, "nginx.conf"));
        using var open = File.OpenRead(before.FullName);

        directory.Write("nginx.conf", "new content"u8, Public);

        using (var reader = new StreamReader(open))
        {
            Assert.That(reader.ReadToEnd(), Is.EqualTo("old"), "a reader that opened the old file keeps reading it: the new one was renamed over it");
        }

        Assert.That(File.ReadAllText(before.FullName), Is.EqualTo("new content"));
        Assert.That(directory.ReadAll().Keys, Is.EqualTo(new[] { "nginx.conf" }));
    }

    [Test]
    public void A_write_that_fails_leaves_no_temporary_file()
    {
        Directory.CreateDirectory(Path.Combine(_root, "nginx.conf"));
        var directory = new ConfinedDirectory(_root);

        Assert.Throws<IOException>(() => directory.Write("nginx.conf", "x"u8, Public));
        Assert.That(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void ReadAll_lists_files_by_relative_path()
    {
        var directory = new ConfinedDirectory(_root);
        directory.Write("rds/b.json", "b"u8, Public);
        directory.Write("a.conf", "a"u8, Public);

        var files = directory.ReadAll();

        Assert.That(files.Keys, Is.EqualTo(new[] { "a.conf", "rds/b.json" }));
        Assert.That(Encoding.UTF8.GetString(files["rds/b.json"]), Is.EqualTo("b"));
        Assert.That(new ConfinedDirectory(Path.Combine(_work, "missing")).ReadAll(), Is.Empty);
    }

    [Test]
    public void Both_writers_of_rendered_files_refuse_a_path_that_escapes()
    {
        var escaping = new RenderedFile("../escaped.conf", "x"u8.ToArray(), IsPrivate: false);
        var config = new RenderedConfig("test", [escaping], RenderedConfig.HashOf([escaping]));

        Assert.Throws<InvalidOperationException>(() => OutputDirectory.Write(_root, config));
        Assert.Throws<InvalidOperationException>(() => new VersionedConfigDirectory(_root).Stage(config));
        Assert.That(File.Exists(Path.Combine(_work, "escaped.conf")), Is.False);
        Assert.That(Directory.Exists(Path.Combine(_root, VersionedConfigDirectory.VersionsDirectoryName, VersionedConfigDirectory.VersionOf(config))), Is.False);
    }
}
