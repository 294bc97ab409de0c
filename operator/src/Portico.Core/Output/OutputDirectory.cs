using Portico.Core.Files;
using Portico.Core.Rendering;

namespace Portico.Core.Output;

/// <summary>
/// Writes a rendered config into a plain directory (for `portico render`) and reads one back (for `portico diff`).
/// Every file goes through <see cref="ConfinedDirectory"/>: no rendered path leaves the directory, and private keys
/// are 0600 from their first byte. Stale certificate files are removed.
/// </summary>
public static class OutputDirectory
{
    public static void Write(string directory, RenderedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var output = new ConfinedDirectory(directory);
        Directory.CreateDirectory(output.Root);

        // Every path is checked before the first file is written, so a refused one leaves the directory as it was.
        foreach (var file in config.AllFiles)
        {
            output.Resolve(file.Path);
        }

        // Files are independent: write them in parallel. No fsync: this is an offline render (CI, review).
        Parallel.ForEach(config.AllFiles, file => output.Write(file.Path, file.Content, file.Mode));

        string certificates = Path.Combine(output.Root, "certs");
        if (Directory.Exists(certificates))
        {
            var keep = config.AllFiles.Select(f => output.Resolve(f.Path)).ToHashSet(StringComparer.Ordinal);
            foreach (string stale in Directory.EnumerateFiles(certificates).Where(f => IsCertificateFile(f) && !keep.Contains(f)))
            {
                File.Delete(stale);
            }
        }
    }

    private static bool IsCertificateFile(string path) =>
        path.EndsWith(".crt", StringComparison.Ordinal) || path.EndsWith(".key", StringComparison.Ordinal);

    /// <summary>Every file under <paramref name="directory"/>, by relative path with '/' separators.</summary>
    public static SortedDictionary<string, byte[]> Read(string directory) => new ConfinedDirectory(directory).ReadAll();
}
