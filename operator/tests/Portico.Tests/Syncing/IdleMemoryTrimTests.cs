using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Hosting;
using Portico.TestSupport;

namespace Portico.Tests.Syncing;

/// <summary>Memory is given back only after a quiet period with no model built, and only when the heap grew since the last time.</summary>
public sealed class IdleMemoryTrimTests
{
    private static readonly ProxyModel Model = ModelBuilder.Build(new ObjectStore().Snapshot(), new BuildOptions());

    [Test]
    public void Collects_once_the_operator_is_quiet_and_again_only_after_the_heap_grew()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        long committed = 400L << 20;
        int collections = 0;
        using var trim = new IdleMemoryTrim(clock, TimeSpan.FromSeconds(5), () => committed, () => { collections++; committed = 200L << 20; });

        trim.OnModel(Model);
        clock.Advance(TimeSpan.FromSeconds(4));
        trim.OnModel(Model);
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.That(collections, Is.Zero, "each model restarts the quiet period");

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(collections, Is.EqualTo(1), "five quiet seconds");

        committed = 220L << 20;
        trim.OnModel(Model);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.That(collections, Is.EqualTo(1), "grew by less than a quarter: kept");

        committed = 300L << 20;
        trim.OnModel(Model);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.That((collections, trim.Trims), Is.EqualTo((2, 2)), "grew by half: given back");

        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.That(collections, Is.EqualTo(2), "no model, no new timer");
    }
}
