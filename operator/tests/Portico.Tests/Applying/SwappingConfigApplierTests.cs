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

    [Test]
    public async Task A_live_only_change_is_written_and_confirmed_without_staging_validating_or_reloading()
    {
        var validator = new CountingValidator();
        var applier = Applier(validator);
        Assert.That((await applier.ApplyAsync(Config("a", live: "x"), default)).Outcome, Is.EqualTo(ApplyOutcome.Applied));
        _time.Advance(TimeSpan.FromSeconds(5));

        var result = await applier.ApplyAsync(Config("a", live: "y"), default);

        Assert.That((result.Outcome, result.LiveOnly), Is.EqualTo((ApplyOutcome.Applied, true)), result.Message);
        Assert.That((_proxy.Reloads, validator.Calls), Is.EqualTo((1, 1)), "only the first apply reloaded and validated");
        Assert.That(Directory.GetDirectories(Path.Combine(_root, VersionedConfigDirectory.VersionsDirectoryName)), Has.Length.EqualTo(1));
        Assert.That(File.ReadAllText(Path.Combine(_root, LiveFile)), Does.EndWith("y\n"));
        Assert.That(Directory.GetFiles(_root, ".*"), Is.Empty, "no temporary file left behind");
    }

    [Test]
    public async Task Live_files_are_not_written_for_files_the_validator_rejects()
    {
        var result = await Applier(new RejectingValidator()).ApplyAsync(Config("a", live: "x"), default);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Invalid));
        Assert.That(File.Exists(Path.Combine(_root, LiveFile)), Is.False);
    }

    [Test]
    public async Task Live_data_published_before_staging_is_put_back_when_staging_fails()
    {
        var applier = Applier();
        await applier.ApplyAsync(Config("a", live: "x"), default);
        byte[] before = File.ReadAllBytes(Path.Combine(_root, LiveFile));
        _time.Advance(TimeSpan.FromSeconds(5));

        // A file where the versions directory should be: the next version cannot be staged.
        string versions = Path.Combine(_root, VersionedConfigDirectory.VersionsDirectoryName);
        Directory.Move(versions, versions + ".moved");
        File.WriteAllText(versions, "in the way");
        var result = await applier.ApplyAsync(Config("b", live: "y"), default);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Failed));
        Assert.That(result.Message, Does.Contain("writing version"));
        Assert.That(File.ReadAllBytes(Path.Combine(_root, LiveFile)), Is.EqualTo(before), "the live file as it was");
        Assert.That(_proxy.Reloads, Is.EqualTo(1), "no reload for a version that could not be written");
    }

    [Test]
    public async Task A_rollback_puts_the_live_files_back_as_they_were()
    {
        var applier = Applier();
        await applier.ApplyAsync(Config("a", live: "x"), default);
        byte[] before = File.ReadAllBytes(Path.Combine(_root, LiveFile));
        _time.Advance(TimeSpan.FromSeconds(5));

        _proxy.IgnoreReloads = true;
        var pending = applier.ApplyAsync(Config("b", live: "y"), default);
        for (int i = 0; i < 25 && !pending.IsCompleted; i++)
        {
            await WaitForTimersAsync();
            _time.Advance(Options.ConfirmPollInterval);
        }

        Assert.That((await pending.WaitAsync(TimeSpan.FromSeconds(10))).Outcome, Is.EqualTo(ApplyOutcome.RolledBack));
        Assert.That(File.ReadAllBytes(Path.Combine(_root, LiveFile)), Is.EqualTo(before));
    }

    [Test]
    public async Task Live_data_the_proxy_does_not_load_fails_at_the_timeout()
    {
        var applier = Applier();
        await applier.ApplyAsync(Config("a", live: "x"), default);

        _proxy.IgnoreLive = true;
        var pending = applier.ApplyAsync(Config("a", live: "y"), default);
        for (int i = 0; i < 25 && !pending.IsCompleted; i++)
        {
            await WaitForTimersAsync();
            _time.Advance(Options.ConfirmPollInterval);
        }

        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That((result.Outcome, result.LiveOnly), Is.EqualTo((ApplyOutcome.Failed, true)));
        Assert.That(result.Message, Does.Contain("did not load live data"));
    }

    [Test]
    public async Task During_a_swap_the_transitional_live_data_is_out_and_the_exact_data_follows_once_confirmed()
    {
        var applier = new SwappingConfigApplier(new VersionedConfigDirectory(_root), null, _proxy, _proxy, Options, _time, new MarkingTransition());
        await applier.ApplyAsync(Config("a", live: "x"), default);
        _time.Advance(TimeSpan.FromSeconds(5));

        var result = await applier.ApplyAsync(Config("b", live: "y"), default);

        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
        Assert.That(_proxy.LiveAtReload, Is.EqualTo("during x-live-hash-0123456789 -> y-live-hash-0123456789\n"), "what the old and the new workers need, while reloading");
        Assert.That(File.ReadAllText(Path.Combine(_root, LiveFile)), Does.StartWith("y-live-hash"), "then exactly the new data");
    }

    [Test]
    public async Task A_newer_config_with_the_same_files_puts_its_live_data_out_while_the_reload_is_in_flight()
    {
        var (applier, pending) = await ReloadInFlightAsync(ahead => ahead.PublishAhead(Config("a", live: "w")));
        Assert.That(File.ReadAllText(Path.Combine(_root, LiveFile)), Does.Not.Contain("w-live-hash"), "nothing in flight before: ignored");

        applier.PublishAhead(Config("b", live: "z"));
        Assert.That(File.ReadAllText(Path.Combine(_root, LiveFile)), Does.EndWith("-> z-live-hash-0123456789\n"), "out at once, with what the old files need");

        var result = await ConfirmAsync(pending);
        Assert.That(File.ReadAllText(Path.Combine(_root, LiveFile)), Does.StartWith("z-live-hash"), "the newer live data, exactly, once the reload is through");
        Assert.That(result.Message, Does.Contain("live data z-live-hash"));
    }

    [Test]
    public async Task A_newer_config_with_other_files_keeps_its_live_data_out_next_to_the_applied_one()
    {
        var (applier, pending) = await ReloadInFlightAsync();

        applier.PublishAhead(Config("c", live: "v"));
        Assert.That(File.ReadAllText(Path.Combine(_root, LiveFile)), Does.EndWith("-> v-live-hash-0123456789\n"), "out at once");

        await ConfirmAsync(pending);
        Assert.That(File.ReadAllText(Path.Combine(_root, LiveFile)), Is.EqualTo("during y-live-hash-0123456789 -> v-live-hash-0123456789\n"), "the applied config's live data and the newer one's, until the newer one's own apply");
    }

    /// <summary>Applies a/x, then starts applying b/y with a reload that is not confirmed until <see cref="ConfirmAsync"/>.</summary>
    private async Task<(SwappingConfigApplier Applier, Task<ApplyResult> Pending)> ReloadInFlightAsync(Action<SwappingConfigApplier>? beforeIt = null)
    {
        var applier = new SwappingConfigApplier(new VersionedConfigDirectory(_root), null, _proxy, _proxy, Options, _time, new MarkingTransition());
        await applier.ApplyAsync(Config("a", live: "x"), default);
        _time.Advance(TimeSpan.FromSeconds(5));
        beforeIt?.Invoke(applier);

        _proxy.IgnoreReloads = true;
        var pending = applier.ApplyAsync(Config("b", live: "y"), default);
        await WaitForTimersAsync();
        return (applier, pending);
    }

    /// <summary>Lets the proxy serve the swapped version and the applier see it.</summary>
    private async Task<ApplyResult> ConfirmAsync(Task<ApplyResult> pending)
    {
        _proxy.ServeActive();
        for (int i = 0; i < 25 && !pending.IsCompleted; i++)
        {
            _time.Advance(Options.ConfirmPollInterval);
            await WaitForTimersAsync();
        }

        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(result.Outcome, Is.EqualTo(ApplyOutcome.Applied), result.Message);
        return result;
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

    private const string LiveFile = "live.txt";

    /// <summary>A config marked <paramref name="marker"/>; with <paramref name="live"/>, a live file whose first line carries its hash.</summary>
    private static RenderedConfig Config(string marker, string? live = null)
    {
        ImmutableArray<RenderedFile> files = [new("nginx.conf", Encoding.UTF8.GetBytes($"# {marker}\n"), false), new("certs/x.key", [1, 2, 3], true)];
        var config = new RenderedConfig("nginx", files, RenderedConfig.HashOf(files));
        return live is null ? config : config with
        {
            Live = [new RenderedFile(LiveFile, Encoding.UTF8.GetBytes($"{live}-live-hash-0123456789\n{live}\n"), false)],
            LiveHash = $"{live}-live-hash-0123456789",
        };
    }

    /// <summary>A proxy that serves whatever `current` points at once reloaded, unless told to lose the signal or ignore it.</summary>
    private sealed class ScriptedProxy(VersionedConfigDirectory directory) : IReloadTrigger, IAppliedConfigProbe
    {
        private string? _served;

        public int Reloads { get; private set; }

        public int Probes { get; private set; }

        public bool FailSignal { get; set; }

        public bool IgnoreReloads { get; set; }

        /// <summary>The live file's text when the last reload was asked for.</summary>
        public string? LiveAtReload { get; private set; }

        /// <summary>Never load the live file (a proxy whose workers cannot read it).</summary>
        public bool IgnoreLive { get; set; }

        public Task<bool> TriggerAsync(CancellationToken cancellationToken)
        {
            if (FailSignal)
            {
                throw new ReloadException("signal lost");
            }

            Reloads++;
            string live = Path.Combine(directory.Root, LiveFile);
            LiveAtReload = File.Exists(live) ? File.ReadAllText(live) : null;
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

        /// <summary>Serve what `current` points at now (a reload that lands late).</summary>
        public void ServeActive() => _served = HashOfActive();

        /// <summary>The first line of the live file in the root, as a proxy that reads it at once would report.</summary>
        public Task<string?> ReadLiveHashAsync(CancellationToken cancellationToken)
        {
            string path = Path.Combine(directory.Root, LiveFile);
            return Task.FromResult(IgnoreLive || !File.Exists(path) ? null : File.ReadLines(path).First());
        }

        private string? HashOfActive()
        {
            string root = directory.VersionDirectory(directory.ActiveVersion!);
            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => new RenderedFile(Path.GetRelativePath(root, f), File.ReadAllBytes(f), false));
            return RenderedConfig.HashOf(files);
        }
    }

    /// <summary>A transition that names the live hashes it bridges.</summary>
    private sealed class MarkingTransition : ILiveTransition
    {
        public ImmutableArray<RenderedFile> During(ImmutableArray<RenderedFile> before, RenderedConfig next)
        {
            string from = before.IsEmpty ? "nothing" : Encoding.UTF8.GetString(before[0].Content).Split('\n')[0];
            return [new RenderedFile(LiveFile, Encoding.UTF8.GetBytes($"during {from} -> {next.LiveHash}\n"), false)];
        }
    }

    private sealed class CountingValidator : IConfigValidator
    {
        public int Calls { get; private set; }

        public Task<string?> ValidateAsync(string versionDirectory, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult<string?>(null);
        }
    }

    private sealed class RejectingValidator : IConfigValidator
    {
        public Task<string?> ValidateAsync(string versionDirectory, CancellationToken cancellationToken) => Task.FromResult<string?>("no thanks");
    }
}
