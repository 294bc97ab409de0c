using Portico.Core.Rendering;

namespace Portico.Core.Output;

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
        foreach (string folder in config.AllFiles.Select(f => Path.GetDirectoryName(Resolve(directory, f.Path))!).Distinct())
        {
            Directory.CreateDirectory(folder);
        }

        // Files are independent: write them in parallel. No temp file and rename per file and no fsync: this is an
        // offline render (CI, review), not the applier, and per-file renames cost seconds for thousands of keys.
        Parallel.ForEach(config.AllFiles, file => WriteFile(Resolve(directory, file.Path), file));

        string certificates = Path.Combine(directory, "certs");
        if (Directory.Exists(certificates))
        {
            var keep = config.AllFiles.Select(f => Resolve(directory, f.Path)).ToHashSet(StringComparer.Ordinal);
            foreach (string stale in Directory.EnumerateFiles(certificates).Where(f => IsCertificateFile(f) && !keep.Contains(f)))
            {
                File.Delete(stale);
            }
        }
    }

    /// <summary>
    /// Writes one file with its mode. A private file is deleted and created anew with 0600, so it is never readable
    /// by others, even for a moment, whatever mode an older file of that name had.
    /// </summary>
    public static void WriteFile(string path, RenderedFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.IsPrivate)
        {
            File.Delete(path);
        }

        var options = new FileStreamOptions { Mode = file.IsPrivate ? FileMode.CreateNew : FileMode.Create, Access = FileAccess.Write, UnixCreateMode = file.Mode };
        using (var stream = new FileStream(path, options))
        {
            stream.Write(file.Content);
        }

        if (!file.IsPrivate)
        {
            File.SetUnixFileMode(path, file.Mode);
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
