using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Portico.Core.Applying;
using Portico.Core.Rendering;

namespace Portico.Tests.Applying;

/// <summary>
/// The confirmation wait grows with the validator's time: nginx parses the same files again on reload, so a config
/// that takes long to check takes longer to load, and must not be rolled back for it (the operator benchmark at 10k
/// Ingresses saw nginx reloads of a minute on a busy machine, against a 10 s confirmation). Fakes, real time.
/// </summary>
public sealed class ConfirmTimeoutTests
{
    private string _shared = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _shared = Path.Combine(Path.GetTempPath(), "portico-confirm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_shared);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_shared, recursive: true);

    [Test]
    public async Task A_reload_slower_than_the_confirm_timeout_but_in_proportion_to_the_check_is_confirmed()
    {
        var config = Config("slow");
        var probe = new DelayedProbe(config.Hash, TimeSpan.FromMilliseconds(600));
        var applier = Applier(new SlowValidator(TimeSpan.FromMilliseconds(300)), probe);

        var result = await applier.ApplyAsync(config, CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
    }

    [Test]
    public async Task Without_a_slow_check_the_configured_timeout_still_rolls_back()
    {
        var config = Config("lost");
        var probe = new DelayedProbe(config.Hash, Timeout.InfiniteTimeSpan);
        var applier = Applier(new SlowValidator(TimeSpan.Zero), probe);
        var stopwatch = Stopwatch.StartNew();

        var result = await applier.ApplyAsync(config, CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.RolledBack), result.Message);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    private SwappingConfigApplier Applier(IConfigValidator validator, DelayedProbe probe) => new(
        new VersionedConfigDirectory(_shared),
        validator,
        probe,
        probe,
        new ApplierOptions { ConfirmTimeout = TimeSpan.FromMilliseconds(100), ConfirmPollInterval = TimeSpan.FromMilliseconds(10), MinReloadInterval = TimeSpan.Zero },
        TimeProvider.System);

    private static RenderedConfig Config(string text)
    {
        var files = ImmutableArray.Create(new RenderedFile("nginx.conf", Encoding.UTF8.GetBytes(text), IsPrivate: false));
        return new RenderedConfig("nginx", files, RenderedConfig.HashOf(files));
    }

    private sealed class SlowValidator(TimeSpan delay) : IConfigValidator
    {
        public async Task<string?> ValidateAsync(string versionDirectory, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            return null;
        }
    }

    /// <summary>The proxy: serves no hash until reloaded, then the new one <c>delay</c> after the reload signal.</summary>
    private sealed class DelayedProbe(string hash, TimeSpan delay) : IAppliedConfigProbe, IReloadTrigger
    {
        private long? _reloaded;

        public Task<bool> TriggerAsync(CancellationToken cancellationToken)
        {
            _reloaded = Stopwatch.GetTimestamp();
            return Task.FromResult(true);
        }

        public Task<string?> ReadAppliedHashAsync(CancellationToken cancellationToken) =>
            Task.FromResult(_reloaded is { } at && delay != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(at) >= delay ? hash : null);
    }
}
