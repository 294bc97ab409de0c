using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Kubernetes;
using Portico.Observability;
using Portico.Syncing;
using Portico.TestSupport;
using Prometheus;

namespace Portico.Tests.Syncing;

/// <summary>The sync loop sends a quiet change's snapshot ahead as a preview, and its batch after the holdoff as usual (ADR 0019).</summary>
public sealed class SyncLoopPreviewTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private static readonly SyncOptions Options = new() { Holdoff = TimeSpan.FromMilliseconds(100), MaxHoldoff = TimeSpan.FromMilliseconds(500) };

    [Test]
    public async Task A_quiet_change_is_previewed_at_once_and_batched_after_the_holdoff_as_the_same_snapshot()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var input = SyncLoop.CreateInput();
        var batches = SyncLoop.CreateOutput();
        var previews = SyncLoop.CreatePreviews();
        var loop = new SyncLoop(input.Reader, batches.Writer, [KnownKinds.Ingress], Options, clock, NullLogger<SyncLoop>.Instance, new PorticoMetrics(Metrics.NewCustomRegistry()), previews: previews.Writer);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        await input.Writer.WriteAsync(new KindListed(KnownKinds.Ingress, []));
        await AfterHoldoffAsync(clock);
        await ReadAsync(batches.Reader);
        Assert.That(previews.Reader.TryRead(out _), Is.False, "the first build is not previewed");

        clock.Advance(TimeSpan.FromSeconds(1));
        await input.Writer.WriteAsync(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("a")));
        var preview = await ReadAsync(previews.Reader);
        Assert.That(preview.Ingresses.ContainsKey(new NamespacedName("default", "a")), "sent before the holdoff has passed");
        Assert.That(batches.Reader.TryRead(out _), Is.False, "the batch still waits for its holdoff");
        await AfterHoldoffAsync(clock);
        Assert.That((await ReadAsync(batches.Reader)).Snapshot, Is.SameAs(preview));

        await input.Writer.WriteAsync(new ObjectUpserted(KnownKinds.Ingress, Kube.Ingress("b")));
        await AfterHoldoffAsync(clock);
        Assert.That((await ReadAsync(batches.Reader)).Snapshot.Ingresses, Has.Count.EqualTo(2));
        Assert.That(previews.Reader.TryRead(out _), Is.False, "a change 100 ms after the last one is not previewed");

        await stop.CancelAsync();
        Assert.That(async () => await running.WaitAsync(Bound), Throws.InstanceOf<OperationCanceledException>());
    }

    /// <summary>Waits until the loop waits on its holdoff timer, then moves the clock past it.</summary>
    private static async Task AfterHoldoffAsync(ManualTimeProvider clock)
    {
        await clock.WaitForTimersAsync(1, Bound);
        clock.Advance(Options.Holdoff);
    }

    private static async Task<T> ReadAsync<T>(ChannelReader<T> reader)
    {
        using var timeout = new CancellationTokenSource(Bound);
        return await reader.ReadAsync(timeout.Token);
    }
}
