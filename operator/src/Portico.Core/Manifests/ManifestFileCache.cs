using System.Security.Cryptography;
using Portico.Core.Kubernetes;

namespace Portico.Core.Manifests;

/// <summary>
/// Reads manifests again and again (local mode, after every file change) parsing only the files whose bytes changed:
/// each file's parsed objects are kept under the SHA-256 of its content, so an edit of one file among thousands
/// costs reading the bytes of all (cheap) and parsing that one (the expensive part). The result equals
/// <see cref="ManifestReader.Read(IEnumerable{string}, KindRegistry)"/> on the same files: objects in file order,
/// diagnostics sorted. A file that does not parse throws as there and leaves the cache as it was.
/// </summary>
public sealed class ManifestFileCache(KindRegistry kinds)
{
    private Dictionary<string, Entry> _files = new(StringComparer.Ordinal);

    /// <summary>How many files the last <see cref="Read"/> parsed (the others came from the cache).</summary>
    public int LastParsed { get; private set; }

    public ManifestSet Read(IEnumerable<string> paths)
    {
        var files = ManifestReader.ExpandPaths(paths);
        var next = new Dictionary<string, Entry>(files.Count, StringComparer.Ordinal);
        var changed = new List<(string File, byte[] Bytes, byte[] Hash)>();
        foreach (string file in files)
        {
            byte[] bytes = ManifestReader.ReadBytes(file);
            byte[] hash = SHA256.HashData(bytes);
            if (_files.TryGetValue(file, out var known) && known.Hash.AsSpan().SequenceEqual(hash))
            {
                next[file] = known;
            }
            else
            {
                changed.Add((file, bytes, hash));
            }
        }

        // One parse per changed file keeps each file's objects and diagnostics apart; pieces of a large file still parse in parallel.
        foreach (var (file, bytes, hash) in changed)
        {
            next[file] = new Entry(hash, ManifestReader.Parse([(file, bytes)], null, kinds));
        }

        _files = next;
        LastParsed = changed.Count;
        var sets = files.Select(f => next[f].Set).ToList();
        return new ManifestSet(
            [.. sets.SelectMany(s => s.Objects)],
            [.. sets.SelectMany(s => s.Diagnostics).Order()]);
    }

    private sealed record Entry(byte[] Hash, ManifestSet Set);
}
