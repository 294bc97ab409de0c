using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Applying;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Local;
using Portico.TestSupport;

namespace Portico.Tests.Local;

/// <summary>
/// Local mode's supervision of its proxy, on stand-in proxies that are real processes (sleep, a shell that forks one
/// child): restarts are spaced by the backoff on the TimeProvider's time, and a dead proxy's leftovers in its process
/// group are killed before it starts again.
/// </summary>
public sealed class LocalProxySupervisionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("portico-supervision-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void The_backoff_doubles_up_to_its_cap_and_starts_over_after_a_healthy_run()
    {
        var backoff = RestartBackoff.CreateDefault();
        var crashing = Enumerable.Range(0, 7).Select(_ => backoff.Next(TimeSpan.FromSeconds(2)).TotalSeconds).ToList();
        Assert.That(crashing, Is.EqualTo(new[] { 1, 2, 4, 8, 16, 30, 30 }));
        Assert.That(backoff.Next(TimeSpan.FromSeconds(59)).TotalSeconds, Is.EqualTo(30), "a minute is healthy, 59 s is not");
        Assert.That(backoff.Next(TimeSpan.FromMinutes(1)).TotalSeconds, Is.EqualTo(1));
        Assert.That(backoff.Next(TimeSpan.Zero).TotalSeconds, Is.EqualTo(2));
    }

    [Test]
    public async Task Restarts_are_spaced_by_the_backoff_on_the_time_provider_and_reset_after_a_healthy_run()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        await using var proxy = new LocalProxyProcess(new StandInProxy("exec sleep 600"), "/bin/sh", _root, NullLogger<LocalProxyProcess>.Instance, time);
        using var stop = new CancellationTokenSource();
        var supervision = proxy.SuperviseAsync(new RestartBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(30)), stop.Token);

        Assert.That(await proxy.TriggerAsync(CancellationToken.None), Is.False, "not running: started, not reloaded");
        foreach (int seconds in new[] { 1, 2, 4, 8, 8 })
        {
            await CrashAndExpectRestartAfterAsync(proxy, time, TimeSpan.FromSeconds(seconds));
        }

        time.Advance(TimeSpan.FromSeconds(30)); // a healthy run
        await CrashAndExpectRestartAfterAsync(proxy, time, TimeSpan.FromSeconds(1));
        await CrashAndExpectRestartAfterAsync(proxy, time, TimeSpan.FromSeconds(2));

        await stop.CancelAsync();
        Assert.That(async () => await supervision, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task A_reload_asked_while_the_proxy_is_down_starts_it_at_once_and_supervision_follows_that_process()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        await using var proxy = new LocalProxyProcess(new StandInProxy("exec sleep 600"), "/bin/sh", _root, NullLogger<LocalProxyProcess>.Instance, time);
        using var stop = new CancellationTokenSource();
        var supervision = proxy.SuperviseAsync(new RestartBackoff(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(30)), stop.Token);
        await proxy.TriggerAsync(CancellationToken.None);
        int first = proxy.ProcessId!.Value;

        Kill(first);
        await time.WaitForTimersAsync(1, Bound); // restart due in 4 s
        Assert.That(await proxy.TriggerAsync(CancellationToken.None), Is.False, "down: started, not reloaded");
        int second = proxy.ProcessId!.Value;
        Assert.That(second, Is.Not.EqualTo(first));

        // The restart that was due finds the new process; the supervisor watches it, and its crash waits 8 s.
        time.Advance(TimeSpan.FromSeconds(4));
        await CrashAndExpectRestartAfterAsync(proxy, time, TimeSpan.FromSeconds(8));
        Assert.That(await proxy.TriggerAsync(CancellationToken.None), Is.True, "running: reloaded");

        await stop.CancelAsync();
        Assert.That(async () => await supervision, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task The_proxy_leads_its_own_process_group_and_its_orphaned_children_are_killed_before_it_starts_again()
    {
        // A "master" that forks a "worker" into its group, then becomes sleep itself (exec keeps the pid).
        await using var proxy = new LocalProxyProcess(new StandInProxy("sleep 600 & exec sleep 601"), "/bin/sh", _root, NullLogger<LocalProxyProcess>.Instance);
        using var stop = new CancellationTokenSource();
        var supervision = proxy.SuperviseAsync(new RestartBackoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30)), stop.Token);
        await proxy.TriggerAsync(CancellationToken.None);
        int master = proxy.ProcessId!.Value;
        // The pid is known as soon as .NET has forked; setsid(1) makes it a group leader a moment later, after exec.
        Assert.That(await Eventually.TrueAsync(() => ProcessTable.GroupOf(master) == master), Is.True, "the proxy leads a group of its own");
        var members = await Eventually.ValueAsync(() => Task.FromResult(ProcessTable.LiveMembers(master)), m => m.Count == 2, Bound);
        Assert.That(members, Has.Count.EqualTo(2), "master and worker");
        int worker = members.Single(pid => pid != master);

        Kill(master);
        int restarted = await Eventually.ValueAsync(() => Task.FromResult(proxy.ProcessId ?? master), pid => pid != master, Bound);
        Assert.That(restarted, Is.Not.EqualTo(master), "started again");
        Assert.That(ProcessTable.IsAlive(worker), Is.False, "the orphaned worker was killed before the new start");
        Assert.That(await Eventually.TrueAsync(() => ProcessTable.GroupOf(restarted) == restarted), Is.True, "the restarted proxy leads a group of its own");

        await stop.CancelAsync();
        Assert.That(async () => await supervision, Throws.InstanceOf<OperationCanceledException>());
        var newWorker = await Eventually.ValueAsync(() => Task.FromResult(ProcessTable.LiveMembers(restarted)), m => m.Count == 2, Bound);
        await proxy.DisposeAsync();
        Assert.That(ProcessTable.LiveMembers(restarted), Is.Empty, $"stopping Portico ends the whole group (was {string.Join(", ", newWorker)})");
    }

    /// <summary>Kills the running proxy; expects no restart a tick before <paramref name="delay"/> and one at it.</summary>
    private static async Task CrashAndExpectRestartAfterAsync(LocalProxyProcess proxy, ManualTimeProvider time, TimeSpan delay)
    {
        int before = proxy.ProcessId ?? throw new AssertionException("the proxy is not running");
        Kill(before);
        await time.WaitForTimersAsync(1, Bound); // the supervisor saw the exit and waits for its delay
        time.Advance(delay - TimeSpan.FromTicks(1));
        Assert.That((proxy.ProcessId, time.PendingTimers), Is.EqualTo(((int?)null, 1)), $"not started again before {delay}");
        time.Advance(TimeSpan.FromTicks(1));
        int? after = await Eventually.ValueAsync(() => Task.FromResult(proxy.ProcessId), pid => pid is not null, Bound);
        Assert.That(after, Is.Not.Null.And.Not.EqualTo(before), $"started again after {delay}");
    }

    private static void Kill(int pid) => Assert.That(PosixSignals.TrySend(pid, 9, out int errno), Is.True, $"kill {pid}: errno {errno}");

    /// <summary>A proxy that is a shell script; it has nothing to render, check or probe.</summary>
    private sealed class StandInProxy(string script) : ProxyKind
    {
        public override string Name => "stand-in";

        public override string DisplayName => "stand-in";

        public override string MissingBinaryMessage => "no shell";

        public override IProxyRenderer CreateRenderer(string? templatesDirectory = null) => throw new NotSupportedException();

        public override string? FindBinary() => "/bin/sh";

        public override IConfigValidator? CreateValidator(string sharedDirectory, string? binary, TimeSpan timeout) => null;

        public override IReloadTrigger CreateReloadTrigger(string sharedDirectory, IReadOnlyList<string>? reloadCommand) => throw new NotSupportedException();

        public override IAppliedConfigProbe CreateProbe(ProxySettings settings, VersionedConfigDirectory directory) => throw new NotSupportedException();

        public override ProcessStartInfo LocalStartInfo(string binary, string root) => new(binary) { ArgumentList = { "-c", script }, UseShellExecute = false };

        public override bool ReloadLocal(Process running) => true;

        public override bool StopLocal(Process running) => false;
    }
}
