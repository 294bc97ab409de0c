using System.Collections.Immutable;
using Portico.Core.Rendering;

namespace Portico.Core.Applying;

/// <summary>
/// The live files in the shared directory (nginx: routes and endpoints, which the proxy reads without a reload),
/// for <see cref="SwappingConfigApplier"/>: which live data is out, what to put back when a swap fails, and the
/// live data of a newer configuration that goes out while a reload is in flight. Thread-safe: the pipeline's
/// look-ahead calls <see cref="PublishAhead"/> while an apply runs.
/// </summary>
internal sealed class LiveFilesPublisher(VersionedConfigDirectory directory, ILiveTransition? transition)
{
    private readonly Lock _lock = new();

    /// <summary>The live hash of the exact files out now; null when unknown or when transitional files are out.</summary>
    private string? _published;
    private ImmutableArray<RenderedFile> _beforeSwap = [];
    private ImmutableArray<string> _names = [];
    private RenderedConfig? _inFlight;
    private RenderedConfig? _ahead;

    /// <summary>Writes the live files of <paramref name="config"/> unless they are out already; the failure, or null.</summary>
    public ApplyResult? Publish(RenderedConfig config) => Write(config, transitional: null);

    /// <summary>
    /// Before a swap: remembers the live files as they are (to put back), writes what the old and the new files
    /// both need (old workers keep routing by the old files until the reload is through; the new live data can serve
    /// part of the new configuration at once), and marks <paramref name="config"/> as in flight.
    /// </summary>
    public ApplyResult? PublishForSwap(RenderedConfig config)
    {
        lock (_lock)
        {
            _beforeSwap = directory.ReadLive(config.Live);
            _names = [.. config.Live.Select(f => f.Path)];
        }

        if (Write(config, transition?.During(_beforeSwap, config)) is { } failed)
        {
            return failed;
        }

        lock (_lock)
        {
            _inFlight = config.LiveHash is null ? null : config;
        }

        return null;
    }

    /// <summary>
    /// A newer configuration while files are being applied: its live data goes out now, together with what the
    /// running and the in-flight files need (as during the swap). With the same files it replaces the in-flight
    /// live data once the reload is confirmed; with other files it stays out next to it until its own apply.
    /// </summary>
    public void PublishAhead(RenderedConfig newer)
    {
        lock (_lock)
        {
            if (_inFlight is not { } applying || newer.LiveHash is null || newer.Identity == (_ahead ?? applying).Identity)
            {
                return;
            }

            // Not written: it follows as an apply of its own after this one.
            if (TryWrite(transition?.During(directory.ReadLive(newer.Live), newer) ?? newer.Live))
            {
                _ahead = newer;
            }
        }
    }

    /// <summary>
    /// After the files of <paramref name="config"/> serve: the configuration whose live files must be out exactly
    /// now (<paramref name="config"/>, or a newer one with the same files that came meanwhile); null when a newer
    /// one with other files came, whose live data is then kept out next to this one's (its own apply follows).
    /// </summary>
    public RenderedConfig? Settle(RenderedConfig config)
    {
        lock (_lock)
        {
            var ahead = _ahead;
            (_inFlight, _ahead) = (null, null);
            if (ahead is null || ahead.Hash == config.Hash || transition is null)
            {
                return ahead is not null && ahead.Hash == config.Hash ? ahead : config;
            }

            TryWrite(transition.During(config.Live, ahead));
            return null;
        }
    }

    /// <summary>The apply ended without success: nothing is in flight any more.</summary>
    public void Abandon()
    {
        lock (_lock)
        {
            (_inFlight, _ahead) = (null, null);
        }
    }

    /// <summary>Puts the live files back as they were before the swap (ones that did not exist are removed).</summary>
    public void Restore()
    {
        lock (_lock)
        {
            (_inFlight, _ahead) = (null, null);
            try
            {
                directory.PublishLive(_beforeSwap);
                foreach (string absent in _names.Except(_beforeSwap.Select(f => f.Path)))
                {
                    File.Delete(Path.Combine(directory.Root, absent));
                }

                _published = null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The next apply writes them again.
            }
        }
    }

    private ApplyResult? Write(RenderedConfig config, ImmutableArray<RenderedFile>? transitional)
    {
        lock (_lock)
        {
            if (config.LiveHash is null || config.LiveHash == _published)
            {
                return null;
            }

            try
            {
                directory.PublishLive(transitional ?? config.Live);
                _published = transitional is null ? config.LiveHash : null;
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new ApplyResult(ApplyOutcome.Failed, $"writing live data {config.LiveHash[..12]} failed: {e.Message}");
            }
        }
    }

    /// <summary>Writes files that are not one configuration's exact live data (the caller holds the lock); false when it failed.</summary>
    private bool TryWrite(IEnumerable<RenderedFile> files)
    {
        try
        {
            directory.PublishLive(files);
            _published = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
