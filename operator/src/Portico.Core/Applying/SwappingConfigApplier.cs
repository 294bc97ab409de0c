using Portico.Core.Rendering;

namespace Portico.Core.Applying;

/// <summary>
/// Applies a configuration by swapping versions in the shared directory: stage the files, let the proxy check them,
/// point <c>current</c> at them, ask for a reload, and wait until the proxy serves the new hash. Not confirmed in
/// time: point <c>current</c> back at the last good version and reload again. Stale versions are collected after a
/// confirmed success; the last good one is kept to roll back to. Calls must not overlap (the pipeline is sequential).
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

    public SwappingConfigApplier(
        VersionedConfigDirectory directory,
        IConfigValidator? validator,
        IReloadTrigger trigger,
        IAppliedConfigProbe probe,
        ApplierOptions options,
        TimeProvider time)
    {
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

        // A restarted operator renders the same bytes the proxy already serves: nothing to do, no reload.
        if (_lastGood is null && await _probe.ReadAppliedHashAsync(cancellationToken) == config.Hash)
        {
            _lastGood = VersionedConfigDirectory.VersionOf(config);
            return ApplyResult.Applied("the proxy already serves this configuration");
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

        var confirmTimeout = _options.ConfirmTimeout;
        if (_validator is not null)
        {
            long validating = _time.GetTimestamp();
            if (await _validator.ValidateAsync(_directory.VersionDirectory(version), cancellationToken) is { } problem)
            {
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

        if (!await WaitForHashAsync(config.Hash, confirmTimeout, cancellationToken))
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

    private async Task<bool> WaitForHashAsync(string hash, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        while (true)
        {
            if (await _probe.ReadAppliedHashAsync(cancellationToken) == hash)
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

    /// <summary>Points <c>current</c> back at <paramref name="previous"/> and drops <paramref name="failed"/>.</summary>
    private bool RestoreQuietly(string? previous, string failed)
    {
        if (previous is null || previous == failed || !Directory.Exists(_directory.VersionDirectory(previous)))
        {
            return false;
        }

        _directory.Activate(previous);
        _directory.Discard(failed);
        return true;
    }
}
