using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Model;

namespace Portico.Core.Manifests;

/// <summary>
/// Reads manifests again and again (local mode, after every file change) parsing only the files whose bytes changed:
/// each file's parsed objects are kept under the SHA-256 of its content, so an edit of one file among thousands
/// costs reading the bytes of all (cheap) and parsing that one (the expensive part). The result equals
/// <see cref="ManifestReader.Read(IEnumerable{string}, KindRegistry)"/> on the same files: objects in file order,
/// diagnostics sorted. A file that does not parse throws as there and leaves the cache as it was.
/// <para>
/// Files are not even read again when their size and modification time are what they were and that time lies
/// well before the reading that saw them (rsync's quick check, with git's care for "racily clean" files): a write
/// within the file system's timestamp granularity of a reading cannot hide behind an unchanged time, because files
/// modified within <see cref="RacyWindow"/> of being read are always read and hashed again.
/// </para>
/// <para>
/// Even that look at every file costs a few hundred milliseconds at tens of thousands of files, so when the caller
/// knows which paths changed (file system events) <see cref="Update"/> looks at those alone; anything it cannot
/// place for certain (a directory, a path under two roots, a listed file itself) makes it read everything instead.
/// </para>
/// </summary>
public sealed class ManifestFileCache(KindRegistry kinds, TimeProvider? time = null)
{
    /// <summary>Wider than any file system's timestamp granularity Portico runs on (coarse kernel clocks, 1 s on some).</summary>
    public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private Dictionary<string, Entry> _files = new(StringComparer.Ordinal);

    // What the last successful reading covered: its paths as given, and each one's files in reading order.
    private string[]? _roots;
    private List<string>[] _rootFiles = [];

    /// <summary>How many files the last <see cref="Read"/> parsed (the others came from the cache).</summary>
    public int LastParsed { get; private set; }

    /// <summary>How many files the last <see cref="Read"/> read and hashed (the others had the size and time they had).</summary>
    public int LastReadFiles { get; private set; }

    /// <summary>Whether the last reading found anything different: a file's content, a file added or gone.</summary>
    public bool LastChanged { get; private set; }

    public ManifestSet Read(IEnumerable<string> paths)
    {
        string[] roots = [.. paths];
        List<string>[] rootFiles = [.. roots.Select(r => ManifestReader.ExpandPaths([r]).ToList())];
        var files = rootFiles.SelectMany(f => f).ToList();
        var next = new Dictionary<string, Entry>(files.Count, StringComparer.Ordinal);
        int parsed = 0, read = 0;
        foreach (string file in files)
        {
            // The stamp is taken before the bytes: a write after it shows as a changed stamp next time.
            var stamp = FileStamp.Of(file, _time.GetUtcNow());
            _files.TryGetValue(file, out var known);
            if (known is not null && known.Stamp.Unchanged(stamp))
            {
                next[file] = known;
                continue;
            }

            (next[file], bool wasParsed) = Load(file, stamp, known);
            read++;
            parsed += wasParsed ? 1 : 0;
        }

        bool sameFiles = _roots is not null && _rootFiles.SelectMany(f => f).SequenceEqual(files, StringComparer.Ordinal);
        return Commit(roots, rootFiles, next, parsed, read, parsed > 0 || !sameFiles);
    }

    /// <summary>
    /// The reading of <paramref name="paths"/> after only <paramref name="changedPaths"/> (files created, written,
    /// deleted, renamed from or to) changed since the last one: equal to <see cref="Read"/>, at the cost of those files.
    /// </summary>
    public ManifestSet Update(IReadOnlyList<string> paths, IEnumerable<string> changedPaths)
    {
        if (_roots is null || !_roots.SequenceEqual(paths, StringComparer.Ordinal) || _roots.Any(r => !Directory.Exists(r) || Path.GetFullPath(r) != r || Path.EndsInDirectorySeparator(r)))
        {
            return Read(paths);
        }

        List<string>[] rootFiles = [.. _rootFiles.Select(f => new List<string>(f))];
        var next = new Dictionary<string, Entry>(_files, StringComparer.Ordinal);
        int parsed = 0, read = 0;
        bool changed = false;
        foreach (string path in changedPaths.Distinct(StringComparer.Ordinal))
        {
            if (!TryPlace(path, out var place))
            {
                return Read(paths);
            }

            if (place is not var (root, file))
            {
                continue;
            }

            var files = rootFiles[root];
            int index = files.BinarySearch(file, StringComparer.Ordinal);
            if (!File.Exists(file))
            {
                if (index >= 0)
                {
                    files.RemoveAt(index);
                    next.Remove(file);
                    changed = true;
                }

                continue;
            }

            if (index < 0)
            {
                files.Insert(~index, file);
                changed = true;
            }

            (next[file], bool wasParsed) = Load(file, FileStamp.Of(file, _time.GetUtcNow()), next.GetValueOrDefault(file));
            read++;
            parsed += wasParsed ? 1 : 0;
            changed |= wasParsed;
        }

        return Commit(_roots, rootFiles, next, parsed, read, changed);
    }

    /// <summary>
    /// Where a changed path belongs: (root, file) for a manifest file a reading would list; null for a path no reading
    /// lists (outside every root, hidden, another extension). False when only a whole reading can tell.
    /// </summary>
    private bool TryPlace(string path, out (int Root, string File)? place)
    {
        place = null;
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return false;
        }

        (int Root, string File)? found = null;
        for (int i = 0; i < _roots!.Length; i++)
        {
            string root = _roots[i];
            if (full == root)
            {
                return false;
            }

            if (full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                if (found is not null)
                {
                    return false;
                }

                found = (i, full);
            }
        }

        // As the reading enumerates: no segment below the root hidden, a manifest extension.
        if (found is { } candidate)
        {
            string relative = full[(_roots[candidate.Root].Length + 1)..];
            bool listed = !relative.Split(Path.DirectorySeparatorChar).Any(s => s.Length == 0 || s[0] == '.') && ManifestReader.IsManifestFile(full);
            place = listed ? candidate : null;
        }

        return true;
    }

    /// <summary>
    /// A file read and hashed: the entry it had when its content is the same (with its new stamp), else the file
    /// parsed again (one parse per file keeps each file's objects and diagnostics apart; a large file's pieces still
    /// parse in parallel). A file that does not parse throws, before anything is committed.
    /// </summary>
    private (Entry Entry, bool Parsed) Load(string file, FileStamp stamp, Entry? known)
    {
        byte[] bytes = ManifestReader.ReadBytes(file);
        var hash = Digest.Of(bytes);
        return known is not null && known.Hash == hash
            ? (known with { Stamp = stamp }, false)
            : (Entry.Of(file, hash, stamp, ManifestReader.Parse([(file, bytes)], null, kinds)), true);
    }

    private ManifestSet Commit(string[] roots, List<string>[] rootFiles, Dictionary<string, Entry> next, int parsed, int read, bool changed)
    {
        (_roots, _rootFiles, _files) = (roots, rootFiles, next);
        (LastParsed, LastReadFiles, LastChanged) = (parsed, read, changed);
        var files = rootFiles.SelectMany(f => f).ToList();
        return new ManifestSet(
            [.. files.SelectMany(f => next[f].ObjectsOf(f))],
            [.. files.SelectMany(f => next[f].Diagnostics).Order()]);
    }

    // The digest, the stamp and the file's objects are values inside the entry, not objects of their own: at tens of
    // thousands of files the three extra objects per file were ~4.5 MiB (issue 13). A file of one object (the common
    // layout) keeps just that object and its line, not an array and a ManifestObject: ~1.8 MiB at 32,000 files; the
    // ManifestObject is made again for each reading, which the caller drops once listed.
    private sealed record Entry(Digest Hash, FileStamp Stamp, IKubernetesObject<V1ObjectMeta>? Single, long SingleLine, ImmutableArray<ManifestObject> Many, ImmutableArray<Diagnostic> Diagnostics)
    {
        public static Entry Of(string file, Digest hash, FileStamp stamp, ManifestSet set) =>
            set.Objects is [var only] && ReferenceEquals(only.File, file)
                ? new(hash, stamp, only.Value, only.Line, [], set.Diagnostics)
                : new(hash, stamp, null, 0, set.Objects, set.Diagnostics);

        /// <summary>The file's objects, as read from <paramref name="file"/> (the path this entry is kept under).</summary>
        public ImmutableArray<ManifestObject> ObjectsOf(string file) => Single is { } value ? [new ManifestObject(value, file, SingleLine)] : Many;
    }

    /// <summary>A file's SHA-256.</summary>
    private readonly record struct Digest(UInt128 Low, UInt128 High)
    {
        public static Digest Of(ReadOnlySpan<byte> bytes)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes, hash);
            return new Digest(MemoryMarshal.Read<UInt128>(hash), MemoryMarshal.Read<UInt128>(hash[16..]));
        }
    }

    /// <summary>What a file looked like when it was read: size, modification and creation (a new inode) times, and when it was looked at.</summary>
    private readonly record struct FileStamp(long Length, DateTime Modified, DateTime Created, DateTimeOffset Seen)
    {
        public static FileStamp Of(string file, DateTimeOffset now)
        {
            var info = new FileInfo(file);
            try
            {
                return new FileStamp(info.Length, info.LastWriteTimeUtc, info.CreationTimeUtc, now);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ManifestException(file, 0, "cannot read: " + e.Message);
            }
        }

        /// <summary>The same file as when read, unless it was modified so close to that reading that a later write could share its time.</summary>
        public bool Unchanged(FileStamp now) =>
            Length == now.Length && Modified == now.Modified && Created == now.Created && Modified < Seen.UtcDateTime - RacyWindow;
    }
}
