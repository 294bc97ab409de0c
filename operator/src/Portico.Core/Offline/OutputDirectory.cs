using Portico.Core.Rendering;

namespace Portico.Core.Offline;

/// <summary>
/// Writes a rendered config into a plain directory (for `portico render`) and reads one back (for `portico diff`).
/// Private keys are created 0600 before any byte is written; stale certificate files are removed.
/// </summary>
public static class OutputDirectory
{
    public static void Write(string directory, RenderedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(directory);
        foreach (var file in config.Files)
        {
            string path = Resolve(directory, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temporary = path + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = file.Mode };
            File.Delete(temporary);
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(file.Content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }

        string certificates = Path.Combine(directory, "certs");
        if (Directory.Exists(certificates))
        {
            var keep = config.Files.Select(f => Resolve(directory, f.Path)).ToHashSet(StringComparer.Ordinal);
            foreach (string stale in Directory.EnumerateFiles(certificates).Where(f => IsCertificateFile(f) && !keep.Contains(f)))
            {
                File.Delete(stale);
            }
        }
    }

    private static bool IsCertificateFile(string path) =>
        path.EndsWith(".crt", StringComparison.Ordinal) || path.EndsWith(".key", StringComparison.Ordinal);

    /// <summary>Every file under <paramref name="directory"/>, by relative path with '/' separators.</summary>
    public static SortedDictionary<string, byte[]> Read(string directory)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return files;
        }

        foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            files[Path.GetRelativePath(directory, file).Replace('\\', '/')] = File.ReadAllBytes(file);
        }

        return files;
    }

    /// <summary>Joins a rendered relative path to the directory, refusing anything that would leave it.</summary>
    public static string Resolve(string directory, string relativePath)
    {
        string root = Path.GetFullPath(directory);
        string full = Path.GetFullPath(Path.Combine(root, relativePath));
        if (Path.IsPathRooted(relativePath) || !full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"rendered path \"{relativePath}\" leaves the output directory");
        }

        return full;
    }
}
