using System.Security.Cryptography;
using System.Text;
using DiffPlex.Renderer;
using Portico.Core.Rendering;

namespace Portico.Core.Output;

/// <summary>
/// A unified diff between a rendered config and a directory (what a pull request would change in the proxy).
/// Private keys are never printed: a changed key shows as a line with its SHA-256.
/// </summary>
public static class ConfigDiff
{
    public const int ContextLines = 3;

    /// <summary>The diff text; empty when the directory holds exactly the rendered files.</summary>
    public static string Between(string directory, RenderedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var existing = OutputDirectory.Read(directory);
        var rendered = config.AllFiles.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var output = new StringBuilder();
        foreach (string path in existing.Keys.Union(rendered.Keys).Order(StringComparer.Ordinal))
        {
            bool isPrivate = rendered.TryGetValue(path, out var file) ? file.IsPrivate : path.EndsWith(".key", StringComparison.Ordinal);
            string before = existing.TryGetValue(path, out byte[]? old) ? Show(old, isPrivate) : string.Empty;
            string after = file is not null ? Show(file.Content, isPrivate) : string.Empty;
            if (before == after && existing.ContainsKey(path) == (file is not null))
            {
                continue;
            }

            string oldName = existing.ContainsKey(path) ? "a/" + path : "/dev/null";
            string newName = file is not null ? "b/" + path : "/dev/null";
            output.Append(UnidiffRenderer.GenerateUnidiff(before, after, oldName, newName, ignoreWhitespace: false, ignoreCase: false, ContextLines));
            if (output.Length > 0 && output[^1] != '\n')
            {
                output.Append('\n');
            }
        }

        return output.ToString();
    }

    private static string Show(byte[] content, bool isPrivate) =>
        isPrivate ? $"(private key, sha256 {Convert.ToHexStringLower(SHA256.HashData(content))})\n" : Encoding.UTF8.GetString(content);
}
