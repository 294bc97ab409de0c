using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Portico.Core.Rendering;

/// <summary>
/// A complete proxy configuration: files sorted by path, and a hash over all of them. The proxy serves the hash on
/// its loopback status endpoint, which is how the applier knows a reload took effect.
/// </summary>
public sealed record RenderedConfig(string Proxy, ImmutableArray<RenderedFile> Files, string Hash)
{
    public RenderedFile? this[string path] => Files.FirstOrDefault(f => f.Path == path);

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
