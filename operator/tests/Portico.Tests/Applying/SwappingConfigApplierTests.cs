using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Portico.Core.Applying;
using Portico.Core.Rendering;

namespace Portico.Tests.Applying;

/// <summary>
/// The apply cycle's rules with a scripted proxy and a fake clock: reloads keep the minimum interval, a reload that
/// fails is reported and nothing is left half-switched, confirmation gives up at its timeout, a first config with
/// nothing to roll back to is reported as such.
/// </summary>
public sealed class SwappingConfigApplierTests
{
    private static readonly ApplierOptions Options = new()
    {
        ConfirmTimeout = TimeSpan.FromSeconds(2),
        ConfirmPollInterval = TimeSpan.FromMilliseconds(100),
        MinReloadInterval = TimeSpan.FromSeconds(1),
    };

    private string _root = null!;
    private FakeTimeProvider _time = null!;
    private ScriptedProxy _proxy = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("portico-applier-").FullName;
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        _proxy = new ScriptedProxy(new VersionedConfigDirectory(_root));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Reloads_keep_the_minimum_interval()
    {
        var applier = Applier();
        Assert.That((await applier.ApplyAsync(Config("a"), default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));

        var second = applier.ApplyAsync(Config("b"), default);
        await WaitForTimersAsync();
        Assert.That(_proxy.Reloads, Is.EqualTo(1), "the second reload waits for the interval");

        _time.Advance(TimeSpan.FromMilliseconds(999));
        await WaitForTimersAsync();
        Assert.That(_proxy.Reloads, Is.EqualTo(1));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((await second.WaitAsync(TimeSpan.FromSeconds(10))).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        Assert.That(_proxy.Reloads, Is.EqualTo(2));
    }

    [Test]
    public async Task A_failed_reload_signal_restores_the_previous_version()
    {
        var applier = Applier();
        var first = Config("a");
        await applier.ApplyAsync(first, default);
        _time.Advance(TimeSpan.FromSeconds(5));

        _proxy.FailSignal = true;
        var result = await applier.ApplyAsync(Config("b"), default);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Failed));
        Assert.That(result.Message, Does.Contain("signal lost"));
        Assert.That(new VersionedConfigDirectory(_root).ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(first)));
    }

    [Test]
    public async Task Confirmation_gives_up_at_the_timeout_and_rolls_back()
    {
        var applier = Applier();
        var first = Config("a");
        await applier.ApplyAsync(first, default);
        _time.Advance(TimeSpan.FromSeconds(5));

        _proxy.IgnoreReloads = true;
        int probesBefore = _proxy.Probes;
        var pending = applier.ApplyAsync(Config("b"), default);
        for (int i = 0; i < 25 && !pending.IsCompleted; i++)
        {
            await WaitForTimersAsync();
            _time.Advance(Options.ConfirmPollInterval);
        }

        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.RolledBack));
        Assert.That(new VersionedConfigDirectory(_root).ActiveVersion, Is.EqualTo(VersionedConfigDirectory.VersionOf(first)));
        Assert.That(_proxy.Probes - probesBefore, Is.InRange(20, 22), "polled every 100 ms for 2 s");
    }

    [Test]
    public async Task A_config_the_validator_rejects_is_not_activated()
    {
        var applier = Applier(new RejectingValidator());
        var result = await applier.ApplyAsync(Config("a"), default);

        Assert.That((result.Outcome, result.Message), Is.EqualTo((ApplyOutcome.Invalid, "no thanks")));
        Assert.That(new VersionedConfigDirectory(_root).ActiveVersion, Is.Null);
        Assert.That(_proxy.Reloads, Is.Zero);
    }

    private SwappingConfigApplier Applier(IConfigValidator? validator = null) =>
        new(new VersionedConfigDirectory(_root), validator, _proxy, _proxy, Options, _time);

    /// <summary>Lets the applier run up to its next timer wait (the fake clock moves only when told).</summary>
    private static async Task WaitForTimersAsync()
    {
        for (int i = 0; i < 20; i++)
        {
            await Task.Yield();
        }

        await Task.Delay(20);
    }

    private static RenderedConfig Config(string marker)
    {
        ImmutableArray<RenderedFile> files = [new("nginx.conf", Encoding.UTF8.GetBytes($"# {marker}\n"), false), new("certs/x.key", [1, 2, 3], true)];
        return new RenderedConfig("nginx", files, RenderedConfig.HashOf(files));
    }

    /// <summary>A proxy that serves whatever `current` points at once reloaded, unless told to lose the signal or ignore it.</summary>
    private sealed class ScriptedProxy(VersionedConfigDirectory directory) : IReloadTrigger, IAppliedConfigProbe
    {
        private string? _served;

        public int Reloads { get; private set; }

        public int Probes { get; private set; }

        public bool FailSignal { get; set; }

        public bool IgnoreReloads { get; set; }

        public Task<bool> TriggerAsync(CancellationToken cancellationToken)
        {
            if (FailSignal)
            {
                throw new ReloadException("signal lost");
            }

            Reloads++;
            if (!IgnoreReloads)
            {
                _served = HashOfActive();
            }

            return Task.FromResult(true);
        }

        public Task<string?> ReadAppliedHashAsync(CancellationToken cancellationToken)
        {
            Probes++;
            return Task.FromResult(_served);
        }

        private string? HashOfActive()
        {
            string root = directory.VersionDirectory(directory.ActiveVersion!);
            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => new RenderedFile(Path.GetRelativePath(root, f), File.ReadAllBytes(f), false));
            return RenderedConfig.HashOf(files);
        }
    }

    private sealed class RejectingValidator : IConfigValidator
    {
        public Task<string?> ValidateAsync(string versionDirectory, CancellationToken cancellationToken) => Task.FromResult<string?>("no thanks");
    }
}
