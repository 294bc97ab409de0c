using System.Collections.Immutable;
using Portico.Core.Rendering;

namespace Portico.Core.Applying;

/// <summary>
/// Applies a configuration by swapping versions in the shared directory: stage the files, let the proxy check them,
/// point <c>current</c> at them, ask for a reload, and wait until the proxy serves the new hash. Not confirmed in
/// time: point <c>current</c> back at the last good version and reload again. Stale versions are collected after a
/// confirmed success; the last good one is kept to roll back to. Calls must not overlap (the pipeline is sequential).
/// Live files (nginx: endpoints) are replaced in the root with one rename each; when nothing else changed that is
/// all, with no reload, and the proxy is asked which live data it has loaded until it reports the new hash. With
/// changed files they are published after validation and right before the swap (the new locations may name
/// upstreams only the new data has), and put back with the previous version on a rollback.
/// </summary>
public sealed class SwappingConfigApplier : IConfigApplier
{
    private readonly VersionedConfigDirectory _directory;
    private readonly IConfigValidator? _validator;
    private readonly IReloadTrigger _trigger;
    private readonly IAppliedConfigProbe _probe;
    private readonly ApplierOptions _options;
    private readonly TimeProvider _time;
    private long? _lastReload;
    private string? _lastGood;
    private string? _publishedLive;
    private readonly ILiveTransition? _transition;
    private readonly Lock _liveLock = new();
    private ImmutableArray<RenderedFile> _liveBeforeSwap = [];
    private RenderedConfig? _inFlight;
    private RenderedConfig? _ahead;
    private ImmutableArray<string> _liveNames = [];

    public SwappingConfigApplier(
        VersionedConfigDirectory directory,
        IConfigValidator? validator,
        IReloadTrigger trigger,
        IAppliedConfigProbe probe,
        ApplierOptions options,
        TimeProvider time,
        ILiveTransition? transition = null)
    {
        _transition = transition;
        _directory = directory;
        _validator = validator;
        _trigger = trigger;
        _probe = probe;
        _options = options;
        _time = time;
    }

    /// <summary>How many reloads were asked of the proxy (for tests and logs).</summary>
    public int ReloadCount { get; private set; }

    public async Task<ApplyResult> ApplyAsync(RenderedConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);

        bool filesChanged = _lastGood != VersionedConfigDirectory.VersionOf(config);
        var result = filesChanged
            ? await ApplyFilesAsync(config, cancellationToken)
            : PublishLive(config) ?? ApplyResult.Applied($"version {_lastGood} serving, unchanged") with { LiveOnly = true };
        if (!result.Succeeded)
        {
            lock (_liveLock)
            {
                (_inFlight, _ahead) = (null, null);
            }

            return result with { LiveOnly = !filesChanged };
        }

        if (config.LiveHash is not { } liveHash)
        {
            return result;
        }

        // After a swap the transitional live data (old and new together) gives way to the exact new data, or to
        // that of a newer configuration with the same files that came while the reload was in flight.
        RenderedConfig exact;
        RenderedConfig? newerFiles = null;
        lock (_liveLock)
        {
            exact = _ahead is { } ahead && ahead.Hash == config.Hash ? ahead : config;
            newerFiles = _ahead is { } other && other.Hash != config.Hash ? other : null;
            (_inFlight, _ahead) = (null, null);
        }

        // A newer configuration with other files came meanwhile: keep its live data out next to this one's (its
        // own apply follows at once and confirms it).
        if (newerFiles is not null && _transition is not null)
        {
            lock (_liveLock)
            {
                try
                {
                    _directory.PublishLive(_transition.During(config.Live, newerFiles));
                    _publishedLive = null;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Its own apply writes it.
                }
            }

            return result with { Message = $"{result.Message}; live data of a newer configuration out ahead" };
        }

        liveHash = exact.LiveHash!;
        if (PublishLive(exact) is { } notPublished)
        {
            return notPublished;
        }

        if (!await WaitForAsync(_probe.ReadLiveHashAsync, liveHash, _options.ConfirmTimeout, cancellationToken))
        {
            return new ApplyResult(ApplyOutcome.Failed, $"the proxy did not load live data {liveHash[..12]} within {_options.ConfirmTimeout.TotalSeconds:0.#} s") { LiveOnly = !filesChanged };
        }

        return result with { Message = $"{result.Message}; live data {liveHash[..12]} loaded" };
    }

    private async Task<ApplyResult> ApplyFilesAsync(RenderedConfig config, CancellationToken cancellationToken)
    {
        // A restarted operator renders the same bytes the proxy already serves: nothing to do, no reload.
        if (_lastGood is null && await _probe.ReadAppliedHashAsync(cancellationToken) == config.Hash)
        {
            _lastGood = VersionedConfigDirectory.VersionOf(config);
            return PublishLive(config) ?? ApplyResult.Applied("the proxy already serves this configuration");
        }

        string version;
        try
        {
            version = _directory.Stage(config);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ApplyResult(ApplyOutcome.Failed, $"writing version {VersionedConfigDirectory.VersionOf(config)} failed: {e.Message}");
        }

        // Old workers keep routing by the old files until the reload is through, and the live data can serve some
        // of the new configuration at once (nginx: new routes, new plain-HTTP hosts): publish what both need now,
        // before the check; the exact live files follow in ApplyAsync once the new version serves.
        _liveBeforeSwap = _directory.ReadLive(config.Live);
        _liveNames = [.. config.Live.Select(f => f.Path)];
        if (PublishLive(config, _transition?.During(_liveBeforeSwap, config)) is { } notPublished)
        {
            _directory.Discard(version);
            return notPublished;
        }

        lock (_liveLock)
        {
            _inFlight = config.LiveHash is null ? null : config;
        }

        var confirmTimeout = _options.ConfirmTimeout;
        if (_validator is not null)
        {
            long validating = _time.GetTimestamp();
            if (await _validator.ValidateAsync(_directory.VersionDirectory(version), cancellationToken) is { } problem)
            {
                RestoreLiveQuietly();
                _directory.Discard(version);
                return new ApplyResult(ApplyOutcome.Invalid, problem);
            }

            var scaled = _time.GetElapsedTime(validating) * _options.ConfirmTimeoutPerValidation;
            confirmTimeout = scaled > confirmTimeout ? scaled : confirmTimeout;
        }


        string? previous = _lastGood ?? _directory.ActiveVersion;
        _directory.Activate(version);
        try
        {
            await ReloadAsync(cancellationToken);
        }
        catch (ReloadException e)
        {
            RestoreQuietly(previous, version);
            return new ApplyResult(ApplyOutcome.Failed, e.Message);
        }

        if (!await WaitForAsync(_probe.ReadAppliedHashAsync, config.Hash, confirmTimeout, cancellationToken))
        {
            await RollBackAsync(previous, version, cancellationToken);
            return new ApplyResult(
                ApplyOutcome.RolledBack,
                $"the proxy did not serve config {config.Hash[..12]} within {confirmTimeout.TotalSeconds:0.#} s; restored {previous ?? "nothing (no earlier version)"}");
        }

        _lastGood = version;
        _directory.CollectExcept([version, previous]);
        return ApplyResult.Applied($"version {version} serving");
    }

    /// <summary>
    /// A newer configuration while files are being applied: its live data goes out now, together with what the
    /// running and the in-flight files need (as during the swap). With the same files it replaces the in-flight
    /// live data once the reload is confirmed; with other files it stays out next to it until its own apply.
    /// </summary>
    public void PublishAhead(RenderedConfig newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        lock (_liveLock)
        {
            if (_inFlight is not { } applying || newer.LiveHash is null || newer.Identity == (_ahead ?? applying).Identity)
            {
                return;
            }

            try
            {
                _directory.PublishLive(_transition?.During(_directory.ReadLive(newer.Live), newer) ?? newer.Live);
                (_ahead, _publishedLive) = (newer, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not published ahead: it follows as a live-only apply after this one.
            }
        }
    }

    /// <summary>
    /// Writes the live files unless the proxy has them already (or, with <paramref name="transitional"/>, those
    /// instead, remembered as nothing published yet); the failure, or null.
    /// </summary>
    private ApplyResult? PublishLive(RenderedConfig config, ImmutableArray<RenderedFile>? transitional = null)
    {
        if (config.LiveHash is null || config.LiveHash == _publishedLive)
        {
            return null;
        }

        try
        {
            lock (_liveLock)
            {
                _directory.PublishLive(transitional ?? config.Live);
                _publishedLive = transitional is null ? config.LiveHash : null;
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ApplyResult(ApplyOutcome.Failed, $"writing live data {config.LiveHash[..12]} failed: {e.Message}");
        }
    }

    /// <summary>Puts the live files back as they were before this apply touched them (absent ones removed).</summary>
    private void RestoreLiveQuietly()
    {
        using var scope = _liveLock.EnterScope();
        (_inFlight, _ahead) = (null, null);
        try
        {
            _directory.PublishLive(_liveBeforeSwap);
            foreach (string absent in _liveNames.Except(_liveBeforeSwap.Select(f => f.Path)))
            {
                File.Delete(Path.Combine(_directory.Root, absent));
            }

            _publishedLive = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next apply writes them again.
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        if (_lastReload is { } last && _time.GetElapsedTime(last) is var since && since < _options.MinReloadInterval)
        {
            await Task.Delay(_options.MinReloadInterval - since, _time, cancellationToken);
        }

        _lastReload = _time.GetTimestamp();
        ReloadCount++;
        await _trigger.TriggerAsync(cancellationToken);
    }

    /// <summary>Asks <paramref name="read"/> until it answers <paramref name="hash"/> or <paramref name="timeout"/> passes.</summary>
    private async Task<bool> WaitForAsync(Func<CancellationToken, Task<string?>> read, string hash, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        while (true)
        {
            if (await read(cancellationToken) == hash)
            {
                return true;
            }

            if (_time.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(_options.ConfirmPollInterval, _time, cancellationToken);
        }
    }

    private async Task RollBackAsync(string? previous, string failed, CancellationToken cancellationToken)
    {
        if (!RestoreQuietly(previous, failed))
        {
            return;
        }

        try
        {
            await ReloadAsync(cancellationToken);
        }
        catch (ReloadException)
        {
            // The rollback's own reload failing leaves the proxy on whatever it runs; the next apply tries again.
        }
    }

    /// <summary>
    /// Puts the live files back as they were before the swap, then points <c>current</c> back at
    /// <paramref name="previous"/> and drops <paramref name="failed"/>; false when there is no version to go back to.
    /// </summary>
    private bool RestoreQuietly(string? previous, string failed)
    {
        RestoreLiveQuietly();

        if (previous is null || previous == failed || !Directory.Exists(_directory.VersionDirectory(previous)))
        {
            return false;
        }

        _directory.Activate(previous);
        _directory.Discard(failed);
        return true;
    }
}
