using System.Security.Cryptography;

namespace Portico.Core.Files;

/// <summary>
/// A directory that files are written into by relative paths that cannot leave it: the one place where Portico turns
/// a rendered path into a file on disk (`portico render`'s output directory and the applier's versioned directory both
/// write through here). A path is refused when it is absolute, names "..", or passes through a symlinked directory
/// under the root, because a rendered path must never reach a file the render did not own, whatever already lies in
/// the directory. Each file is written to a temporary file beside it and renamed over the old one, so a reader sees
/// the old file or the new one, never a part; the temporary file has the final mode before its first byte, so a
/// private key is never readable by others, not even for a moment.
/// </summary>
public sealed class ConfinedDirectory
{
    /// <summary>Temporary files start with this, so that they are told from rendered files (which never start with '.').</summary>
    public const string TemporaryPrefix = ".tmp-";

    public ConfinedDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
    }

    /// <summary>The directory, as an absolute path.</summary>
    public string Root { get; }

    /// <summary>
    /// The absolute path of <paramref name="relativePath"/> under <see cref="Root"/>; throws
    /// <see cref="InvalidOperationException"/> when it would leave the root.
    /// </summary>
    public string Resolve(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        string[] segments = relativePath.Split('/');
        if (relativePath.Length == 0 || Path.IsPathRooted(relativePath) || relativePath.Contains('\0', StringComparison.Ordinal)
            || segments.Any(s => s is "" or "." or ".."))
        {
            throw Escapes(relativePath);
        }

        string full = Path.GetFullPath(Path.Combine(Root, relativePath));
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw Escapes(relativePath);
        }

        // A symlinked directory on the way would take the write wherever it points. The file itself may be a
        // symlink: the rename replaces the link, it never writes through it. A directory this instance created is
        // not checked again (a version's 2,000 certificate files share one, issue 13).
        string current = Root;
        foreach (string segment in segments[..^1])
        {
            current = Path.Combine(current, segment);
            if (!_created.Contains(current) && new DirectoryInfo(current) is { LinkTarget: not null })
            {
                throw Escapes(relativePath);
            }
        }

        return full;
    }

    /// <summary>Directories this instance created (so known to be directories, not links).</summary>
    private readonly HashSet<string> _created = new(StringComparer.Ordinal);

    /// <summary>Creates the directory of <paramref name="path"/> (a resolved path) unless this instance already did.</summary>
    private void CreateDirectoryOf(string path)
    {
        string directory = Path.GetDirectoryName(path)!;
        if (_created.Contains(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        if (new DirectoryInfo(directory) is { LinkTarget: null })
        {
            _created.Add(directory);
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="relativePath"/> with <paramref name="mode"/>, replacing
    /// any file of that name in one rename(2). Directories on the way are created. Flushed to the kernel, not to disk
    /// (no fsync): the readers (the proxy, `portico diff`) read through the page cache, and after a machine crash
    /// everything is rendered again from the cluster or the manifests.
    /// </summary>
    /// <summary>
    /// Makes <paramref name="relativePath"/> a hard link to <paramref name="source"/> (a regular file, not a link),
    /// when the file system allows it: false, and nothing created, otherwise. For files known to hold the same bytes
    /// and mode; neither is ever modified in place (<see cref="Write"/> replaces files by rename).
    /// </summary>
    public bool TryLink(string source, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(source);
        string path = Resolve(relativePath);
        // One readlink: null for a regular file (and for none, which link(2) then refuses).
        if (!OperatingSystem.IsLinux() || new FileInfo(source).LinkTarget is not null)
        {
            return false;
        }

        CreateDirectoryOf(path);
        return LinkNative(source, path) == 0;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true, CharSet = System.Runtime.InteropServices.CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern int LinkNative(string existing, string created);

    public void Write(string relativePath, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        string path = Resolve(relativePath);
        string directory = Path.GetDirectoryName(path)!;
        CreateDirectoryOf(path);
        string temporary = Path.Combine(directory, $"{TemporaryPrefix}{Path.GetFileName(path)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        try
        {
            // Created with no more than the owner's bits of the final mode, then set exactly (the umask cannot widen
            // or narrow it), all before the first byte.
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite),
            };
            using (var stream = new FileStream(temporary, options))
            {
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
                stream.Write(content);
                stream.Flush();
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Every file under the root, by relative path with '/' separators; empty when the root does not exist.</summary>
    public SortedDictionary<string, byte[]> ReadAll()
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (!Directory.Exists(Root))
        {
            return files;
        }

        foreach (string file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            files[Path.GetRelativePath(Root, file).Replace('\\', '/')] = File.ReadAllBytes(file);
        }

        return files;
    }

    private static InvalidOperationException Escapes(string relativePath) =>
        new($"rendered path \"{relativePath}\" leaves the directory it is written into");
}
