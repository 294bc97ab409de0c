using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portico.Core.Kubernetes;
using Portico.Core.Manifests;
using Portico.Hosting;
using k8s;
using k8s.Models;

namespace Portico.Local;

/// <summary>
/// Local mode's source: the manifests in files and directories instead of a cluster. Reads them all at start and
/// again whenever a file changes (file system events coalesced), and lists every registered kind into the store, so an edit,
/// a new file or a deletion is one change. Only files whose size or time changed are read again, and only those whose content
/// changed parsed again (<see cref="ManifestFileCache"/>); unchanged objects are the same instances, which the store
/// recognises without comparing them.
/// A file that does not parse is reported and the last good state kept.
/// </summary>
public sealed partial class ManifestDirectorySource : IStoreSource
{
    private readonly KindRegistry _kinds;
    private readonly IReadOnlyList<string> _paths;
    private readonly ChannelWriter<StoreEvent> _output;
    private readonly ILogger _logger;
    private readonly ManifestFileCache _cache;
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // The paths file system events named since the last reading, and whether the next one must look at every file
    // (at start, after a failed reading, a lost event or a Poke). Written by the watchers' threads.
    private readonly Lock _gate = new();
    private HashSet<string> _dirty = new(StringComparer.Ordinal);
    private bool _rescan = true;

    public ManifestDirectorySource(IReadOnlyList<string> paths, ChannelWriter<StoreEvent> output, ILogger<ManifestDirectorySource> logger, KindRegistry? kinds = null)
    {
        _kinds = kinds ?? KindRegistry.Default;
        _cache = new ManifestFileCache(_kinds);
        _paths = [.. paths.Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p)))];
        _output = output;
        _logger = logger;
    }

    public IReadOnlyCollection<string> Kinds => [.. _kinds.Kinds.Select(k => k.Kind)];

    /// <summary>Raised after each reading of the manifests (for tests and logs): the objects read, or -1 when reading failed.</summary>
    public event Action<int>? Read;

    /// <summary>How many files the last successful reading parsed; the others were unchanged and reused.</summary>
    public int LastParsedFiles => _cache.LastParsed;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var watchers = new CompositeDisposable(_paths.Select(CreateWatcher).OfType<IDisposable>().ToList());
        _changed.Writer.TryWrite(true);
        await foreach (bool _ in _changed.Reader.ReadAllAsync(cancellationToken))
        {
            await ReadAndListAsync(cancellationToken);
        }
    }

    /// <summary>Asks for a new reading of every file (tests may; file system events ask for their paths only).</summary>
    public void Poke()
    {
        lock (_gate)
        {
            _rescan = true;
        }

        _changed.Writer.TryWrite(true);
    }

    private void Changed(params string[] paths)
    {
        lock (_gate)
        {
            _dirty.UnionWith(paths);
        }

        _changed.Writer.TryWrite(true);
    }

    private async Task ReadAndListAsync(CancellationToken cancellationToken)
    {
        HashSet<string> dirty;
        bool rescan;
        lock (_gate)
        {
            (dirty, rescan, _dirty, _rescan) = (_dirty, _rescan, new HashSet<string>(StringComparer.Ordinal), false);
        }

        ManifestSet manifests;
        try
        {
            manifests = rescan ? _cache.Read(_paths) : _cache.Update(_paths, dirty);
        }
        catch (Exception e) when (e is ManifestException or IOException or UnauthorizedAccessException)
        {
            lock (_gate)
            {
                _rescan = true;
            }

            LogUnreadable(e.Message);
            Read?.Invoke(-1);
            return;
        }

        if (!rescan && !_cache.LastChanged)
        {
            // Events for files no reading lists (an editor's temporary file) or content as it was: nothing to list.
            Read?.Invoke(manifests.Objects.Length);
            return;
        }

        foreach (var diagnostic in manifests.Diagnostics)
        {
            LogDiagnostic(diagnostic.ToString());
        }

        var byKind = _kinds.Kinds.ToDictionary(k => k.Kind, _ => new Dictionary<NamespacedName, IKubernetesObject<V1ObjectMeta>>(), StringComparer.Ordinal);
        foreach (var item in manifests.Objects)
        {
            if (item.Value.Kind is { } kind && byKind.TryGetValue(kind, out var objects))
            {
                objects[ObjectStore.KeyOf(item.Value)] = item.Value;
            }
        }

        foreach (var (kind, objects) in byKind)
        {
            await _output.WriteAsync(new KindListed(kind, [.. objects.Values]), cancellationToken);
        }

        Read?.Invoke(manifests.Objects.Length);
    }

    private FileSystemWatcher? CreateWatcher(string path)
    {
        bool isDirectory = Directory.Exists(path);
        string? directory = isDirectory ? path : Path.GetDirectoryName(path);
        if (directory is null || !Directory.Exists(directory))
        {
            return null;
        }

        var watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = isDirectory,
            Filter = isDirectory ? "*" : Path.GetFileName(path),
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        watcher.Changed += (_, e) => Changed(e.FullPath);
        watcher.Created += (_, e) => Changed(e.FullPath);
        watcher.Deleted += (_, e) => Changed(e.FullPath);
        watcher.Renamed += (_, e) => Changed(e.OldFullPath, e.FullPath);
        watcher.Error += (_, _) => Poke(); // events were lost (the kernel's queue overflowed): look at everything
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Manifests not read; the last good state stays: {Reason}")]
    private partial void LogUnreadable(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Diagnostic}")]
    private partial void LogDiagnostic(string diagnostic);

    private sealed class CompositeDisposable(IReadOnlyList<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}
