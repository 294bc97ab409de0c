using Portico.Core.Rendering;

namespace Portico.Core.Applying;

/// <summary>
/// Applies a configuration by swapping versions in the shared directory: stage the files, let the proxy check them,
/// point <c>current</c> at them, ask for a reload, and wait until the proxy serves the new hash. Not confirmed in
/// time: point <c>current</c> back at the last good version and reload again. Stale versions are collected after a
/// confirmed success; the last good one is kept to roll back to. Calls must not overlap (the pipeline is sequential).
/// Live files (nginx: routes and endpoints; <see cref="LiveFilesPublisher"/>) are replaced in the root with one
/// rename each; when nothing else changed that is all, with no reload, and the proxy is asked which live data it has
/// loaded until it reports the new hash. With changed files, what the old and the new files both need goes out right
/// before staging (and so before the check), the exact live files once the new version serves, and the old ones are put
/// back when the check rejects the files or the swap is rolled back.
/// </summary>
public sealed class SwappingConfigApplier : IConfigApplier
{
    private readonly VersionedConfigDirectory _directory;
    private readonly IConfigValidator? _validator;
    private readonly IReloadTrigger _trigger;
    private readonly IAppliedConfigProbe _probe;
    private readonly ApplierOptions _options;
    private readonly TimeProvider _time;
    private readonly LiveFilesPublisher _live;
    private long? _lastReload;
    private string? _lastGood;

    public SwappingConfigApplier(
        VersionedConfigDirectory directory,
        IConfigValidator? validator,
        IReloadTrigger trigger,
        IAppliedConfigProbe probe,
        ApplierOptions options,
        TimeProvider time,
        ILiveTransition? transition = null)
    {
        _live = new LiveFilesPublisher(directory, transition);
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
            : _live.Publish(config) ?? ApplyResult.Applied($"version {_lastGood} serving, unchanged") with { LiveOnly = true };
        if (!result.Succeeded)
        {
            _live.Abandon();
            return result with { LiveOnly = !filesChanged };
        }

        if (config.LiveHash is null)
        {
            return result;
        }

        // After a swap the transitional live data (old and new together) gives way to the exact new data, or to
        // that of a newer configuration with the same files that came while the reload was in flight.
        if (_live.Settle(config) is not { } exact)
        {
            return result with { Message = $"{result.Message}; live data of a newer configuration out ahead" };
        }

        string liveHash = exact.LiveHash!;
        if (_live.Publish(exact) is { } notPublished)
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
            return _live.Publish(config) ?? ApplyResult.Applied("the proxy already serves this configuration");
        }

        // Before staging and the check, so that the new live data serves what it can at once (a new plain-HTTP host
        // is routed by the running workers while nginx.conf is still being written: at 10,000 Ingresses that is ~10 MB);
        // the exact files follow in ApplyAsync once the new version serves.
        if (_live.PublishForSwap(config) is { } notPublished)
        {
            return notPublished;
        }

        string version;
        try
        {
            version = _directory.Stage(config);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _live.Restore();
            return new ApplyResult(ApplyOutcome.Failed, $"writing version {VersionedConfigDirectory.VersionOf(config)} failed: {e.Message}");
        }

        var confirmTimeout = _options.ConfirmTimeout;
        if (_validator is not null)
        {
            long validating = _time.GetTimestamp();
            if (await _validator.ValidateAsync(_directory.VersionDirectory(version), cancellationToken) is { } problem)
            {
                _live.Restore();
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

    /// <inheritdoc cref="LiveFilesPublisher.PublishAhead"/>
    public void PublishAhead(RenderedConfig newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        _live.PublishAhead(newer);
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
        _live.Restore();

        if (previous is null || previous == failed || !Directory.Exists(_directory.VersionDirectory(previous)))
        {
            return false;
        }

        _directory.Activate(previous);
        _directory.Discard(failed);
        return true;
    }
}
