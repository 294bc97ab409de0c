using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Portico.Core.Rendering;

/// <summary>
/// A complete proxy configuration: files sorted by path, and a hash over all of them. The proxy serves the hash on
/// its loopback status endpoint, which is how the applier knows a reload took effect.
/// <see cref="Live"/> files are data the running proxy reads by itself, without a reload (nginx: the endpoints of
/// every upstream). They are not in <see cref="Hash"/>, so an endpoint change leaves it alone; the proxy reports
/// the <see cref="LiveHash"/> it has loaded instead.
/// </summary>
public sealed record RenderedConfig(string Proxy, ImmutableArray<RenderedFile> Files, string Hash)
{
    /// <summary>Files the proxy picks up without a reload; written next to the versions, not inside one.</summary>
    public ImmutableArray<RenderedFile> Live { get; init; } = [];

    /// <summary>The hash the proxy reports once it has loaded <see cref="Live"/>; null when there are no live files.</summary>
    public string? LiveHash { get; init; }

    /// <summary>Every file, reloaded and live, in path order: what an offline render writes and a diff compares.</summary>
    public IEnumerable<RenderedFile> AllFiles => Files.Concat(Live).OrderBy(f => f.Path, StringComparer.Ordinal);

    /// <summary>What the proxy runs: the hash of the files, and of the live data when there is any.</summary>
    public string Identity => LiveHash is null ? Hash : $"{Hash}+{LiveHash}";

    public RenderedFile? this[string path] => Files.FirstOrDefault(f => f.Path == path) ?? Live.FirstOrDefault(f => f.Path == path);

    /// <summary>SHA-256 over every path and content, in path order (hex, lowercase).</summary>
    public static string HashOf(IEnumerable<RenderedFile> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file.Path));
            hash.AppendData([0]);
            hash.AppendData(BitConverter.GetBytes((long)file.Content.Length));
            hash.AppendData(file.Content);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
