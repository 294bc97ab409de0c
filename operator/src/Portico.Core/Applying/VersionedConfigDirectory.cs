using System.Collections.Immutable;
using System.Security.Cryptography;
using Portico.Core.Files;
using Portico.Core.Rendering;

namespace Portico.Core.Applying;

/// <summary>
/// The directory shared with the proxy sidecar. Each configuration is written whole into
/// <c>versions/&lt;hash&gt;/</c>, then the symlink <c>current</c> is swapped to it with one rename(2): the proxy never
/// sees a half-written configuration, and the previous version stays on disk to roll back to. File names inside a
/// version are content-addressed (certificates by hash), and a version's name is the config hash, so staging the
/// same configuration twice reuses the files.
/// </summary>
public sealed class VersionedConfigDirectory
{
    public const string CurrentLinkName = "current";
    public const string VersionsDirectoryName = "versions";

    /// <summary>Hex digits of the config hash used as version name (64 bits: collisions are not a concern here).</summary>
    private const int VersionNameLength = 16;

    /// <summary>Files up to this size are linked from the last staged version when unchanged; larger ones (nginx.conf) are always written.</summary>
    private const int LinkableBytes = 1 << 20;

    // The version staged last and its files' content hashes and modes, by path.
    private (string Version, Dictionary<string, (string Hash, UnixFileMode Mode)> Files)? _lastStaged;

    public VersionedConfigDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>The link the proxy reads its configuration through.</summary>
    public string CurrentLink => Path.Combine(Root, CurrentLinkName);

    public static string VersionOf(RenderedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Hash[..VersionNameLength];
    }

    /// <summary>The path of a version's directory.</summary>
    public string VersionDirectory(string version) => Path.Combine(Root, VersionsDirectoryName, version);

    /// <summary>The version <c>current</c> points at, or null before the first activation.</summary>
    public string? ActiveVersion
    {
        get
        {
            var link = new FileInfo(CurrentLink);
            return link.LinkTarget is { } target ? Path.GetFileName(target.TrimEnd('/')) : null;
        }
    }

    /// <summary>
    /// Writes <paramref name="config"/> into its version directory (into a temporary directory first, renamed into
    /// place when complete) and returns the version name. Files are written through <see cref="ConfinedDirectory"/>:
    /// no rendered path leaves the version, and private files are 0600 from the first byte.
    /// </summary>
    public string Stage(RenderedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string version = VersionOf(config);
        string target = VersionDirectory(version);
        if (Directory.Exists(target))
        {
            return version;
        }

        string staging = Path.Combine(Root, VersionsDirectoryName, $".staging-{version}-{RandomSuffix()}");
        Directory.CreateDirectory(staging);
        try
        {
            var files = new ConfinedDirectory(staging);
            var staged = new Dictionary<string, (string Hash, UnixFileMode Mode)>(StringComparer.Ordinal);
            foreach (var file in config.Files)
            {
                if (file.Content.Length > LinkableBytes)
                {
                    files.Write(file.Path, file.Content, file.Mode);
                    continue;
                }

                // A file the last staged version holds with the same bytes and mode (certificates, keys, user
                // files: a thousand TLS hosts are two thousand files) is linked, not written again.
                var identity = (Convert.ToHexString(SHA256.HashData(file.Content)), file.Mode);
                staged[file.Path] = identity;
                if (_lastStaged is not { } last || !last.Files.TryGetValue(file.Path, out var before) || before != identity
                    || !files.TryLink(Path.Combine(VersionDirectory(last.Version), file.Path), file.Path))
                {
                    files.Write(file.Path, file.Content, file.Mode);
                }
            }

            Directory.Move(staging, target);
            _lastStaged = (version, staged);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            // Another writer staged the same version meanwhile: same hash, same files.
            Directory.Delete(staging, recursive: true);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }

        return version;
    }

    /// <summary>Points <c>current</c> at <paramref name="version"/> atomically (a new link renamed over the old one).</summary>
    public void Activate(string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        if (!Directory.Exists(VersionDirectory(version)))
        {
            throw new DirectoryNotFoundException($"version {version} is not staged in {Root}");
        }

        string temporary = Path.Combine(Root, $".{CurrentLinkName}-{RandomSuffix()}");
        File.CreateSymbolicLink(temporary, $"{VersionsDirectoryName}/{version}");
        PosixSignals.Rename(temporary, CurrentLink);
    }

    /// <summary>
    /// Writes <paramref name="config"/>'s live files into the root, each replacing the old one with one rename(2):
    /// the proxy, which reads them by itself, sees either the old or the new file, never a mix.
    /// </summary>
    public void PublishLive(RenderedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        PublishLive(config.Live);
    }

    /// <summary>The live files as they are on disk now, by the names <paramref name="names"/> gives (missing ones left out).</summary>
    public ImmutableArray<RenderedFile> ReadLive(IEnumerable<RenderedFile> names) =>
        [.. names.Select(f => Path.Combine(Root, f.Path)).Where(File.Exists).Select(path => new RenderedFile(Path.GetFileName(path), File.ReadAllBytes(path), IsPrivate: false))];

    /// <inheritdoc cref="PublishLive(RenderedConfig)"/>
    public void PublishLive(IEnumerable<RenderedFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        Directory.CreateDirectory(Root);
        var root = new ConfinedDirectory(Root);
        foreach (var file in files)
        {
            // The proxy reads live files from the root itself, beside `current` and `versions/`.
            if (file.Path.Contains('/', StringComparison.Ordinal) || file.Path.StartsWith('.'))
            {
                throw new InvalidOperationException($"live file {file.Path} must be a plain file name");
            }

            root.Write(file.Path, file.Content, file.Mode);
        }
    }

    /// <summary>Deletes every version directory (and leftover staging directory) except <paramref name="keep"/>.</summary>
    public void CollectExcept(IEnumerable<string?> keep)
    {
        var kept = keep.OfType<string>().ToHashSet(StringComparer.Ordinal);
        string versions = Path.Combine(Root, VersionsDirectoryName);
        if (!Directory.Exists(versions))
        {
            return;
        }

        foreach (string directory in Directory.EnumerateDirectories(versions))
        {
            if (!kept.Contains(Path.GetFileName(directory)))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Removes a version that failed validation or was rolled back (never the active one).</summary>
    public void Discard(string version)
    {
        if (version != ActiveVersion && Directory.Exists(VersionDirectory(version)))
        {
            Directory.Delete(VersionDirectory(version), recursive: true);
        }
    }

    /// <summary>Names of temporary entries only (never of rendered files): unique per call.</summary>
    private static string RandomSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
}
