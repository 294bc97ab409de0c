using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Portico.Core.Applying;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Rendering;
using Portico.Observability;
using Portico.Syncing;
using Portico.TestSupport;
using Prometheus;

namespace Portico.Tests.Syncing;

/// <summary>
/// Preparing a batch while its holdoff runs (ADR 0019): a preview is built and rendered ahead, and used only when its
/// batch turns out to be the same snapshot; whatever happens, what is applied is the batch's own rendering. And each
/// build keeps the plans of the Ingresses that did not change (ADR 0020).
/// </summary>
public sealed class ConfigPipelineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Test]
    public async Task A_preview_whose_batch_is_the_same_snapshot_is_rendered_once_and_applied()
    {
        await using var rig = new Rig();
        var snapshot = Cluster("a");

        rig.Previews.Writer.TryWrite(snapshot);
        await rig.Renderer.RenderedAsync(1);
        Assert.That(rig.Applier.Applied, Is.Empty, "a preview is never applied");

        rig.Batches.Writer.TryWrite(new SyncBatch(snapshot, 0));
        var applied = await rig.Applier.NextAsync();

        Assert.That(Served(applied), Is.EqualTo("default/a"));
        Assert.That(rig.Renderer.Renders, Is.EqualTo(1), "the batch used what was prepared");
        Assert.That(rig.Prepared("used"), Is.EqualTo(1));
        Assert.That(rig.Prepared("discarded"), Is.Zero);
    }

    [Test]
    public async Task A_preview_superseded_by_a_later_change_is_discarded_and_the_batch_is_applied()
    {
        await using var rig = new Rig();
        var preview = Cluster("a");

        rig.Previews.Writer.TryWrite(preview);
        await rig.Renderer.RenderedAsync(1);
        rig.Batches.Writer.TryWrite(new SyncBatch(preview.With(Ingress("b")), 0));
        var applied = await rig.Applier.NextAsync();

        Assert.That(Served(applied), Is.EqualTo("default/a,default/b"), "the batch's own snapshot, not the preview's");
        Assert.That(rig.Renderer.Renders, Is.EqualTo(2));
        Assert.That(rig.Prepared("discarded"), Is.EqualTo(1));
        Assert.That(rig.Prepared("used"), Is.Zero);
    }

    [Test]
    public async Task A_preview_is_not_prepared_when_a_batch_already_waits()
    {
        var rig = new Rig(start: false);
        await using (rig)
        {
            rig.Previews.Writer.TryWrite(Cluster("old"));
            rig.Batches.Writer.TryWrite(new SyncBatch(Cluster("a", "b"), 0));
            rig.Start();
            var applied = await rig.Applier.NextAsync();

            Assert.That(Served(applied), Is.EqualTo("default/a,default/b"));
            Assert.That(rig.Renderer.Renders, Is.EqualTo(1), "the batch came first and supersedes the preview");
        }
    }

    [Test]
    public async Task Without_previews_every_batch_is_built_as_it_comes()
    {
        var rig = new Rig(previews: false);
        await using (rig)
        {
            rig.Batches.Writer.TryWrite(new SyncBatch(Cluster("a"), 0));
            Assert.That(Served(await rig.Applier.NextAsync()), Is.EqualTo("default/a"));
            rig.Batches.Writer.TryWrite(new SyncBatch(Cluster("a", "b"), 0));
            Assert.That(Served(await rig.Applier.NextAsync()), Is.EqualTo("default/a,default/b"));
            Assert.That(rig.Prepared("used") + rig.Prepared("discarded"), Is.Zero);
        }
    }

    [Test]
    public async Task A_build_after_a_change_plans_only_the_Ingresses_that_changed()
    {
        var rig = new Rig(previews: false);
        await using (rig)
        {
            var first = Cluster("a", "b", "c");
            rig.Batches.Writer.TryWrite(new SyncBatch(first, 0));
            await rig.Applier.NextAsync();
            rig.Batches.Writer.TryWrite(new SyncBatch(first.With(Ingress("b").WithPath("b.example.com", "/new", "Prefix", "web", 80)).With(Ingress("d")), 0));
            await rig.Applier.NextAsync();

            Assert.That((rig.Plans("planned"), rig.Plans("reused")), Is.EqualTo((3 + 2, 2)), "all three at first; then b and d, with a and c kept");
        }
    }

    private static k8s.Models.V1Ingress Ingress(string name) => Kube.Ingress(name).WithPath($"{name}.example.com", "/", "Prefix", "web", 80);

    private static ClusterSnapshot Cluster(params string[] ingresses) =>
        ClusterSnapshot.From([Kube.Service("web", "default", (null, 80)), .. ingresses.Select(Ingress)]);

    private static string Served(RenderedConfig config) => Encoding.UTF8.GetString(config.Files[0].Content);

    /// <summary>The pipeline with a renderer that writes the served Ingresses and an applier that records what it applies.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConfigPipeline _pipeline;
        private readonly PorticoMetrics _metrics = new(Metrics.NewCustomRegistry());
        private Task _running = Task.CompletedTask;

        public Rig(bool start = true, bool previews = true)
        {
            _pipeline = new ConfigPipeline(
                Batches.Reader,
                new BuildOptions(),
                new ProxySettings(),
                Renderer,
                Applier,
                [],
                new ConfigPipelineOptions(),
                TimeProvider.System,
                NullLogger<ConfigPipeline>.Instance,
                _metrics,
                new Readiness(),
                previews ? Previews.Reader : null);
            if (start)
            {
                Start();
            }
        }

        public Channel<SyncBatch> Batches { get; } = SyncLoop.CreateOutput();

        public Channel<ClusterSnapshot> Previews { get; } = SyncLoop.CreatePreviews();

        public ServedRenderer Renderer { get; } = new();

        public RecordingApplier Applier { get; } = new();

        public void Start() => _running = _pipeline.RunAsync(_stop.Token);

        public double Prepared(string outcome) => _metrics.PreparedBuilds.WithLabels(outcome).Value;

        public double Plans(string outcome) => _metrics.IngressPlans.WithLabels(outcome).Value;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _running.WaitAsync(Bound);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            _stop.Dispose();
        }
    }

    private sealed class ServedRenderer : IProxyRenderer
    {
        private int _renders;
        private readonly Channel<int> _rendered = Channel.CreateUnbounded<int>();

        public string Proxy => "test";

        public int Renders => Volatile.Read(ref _renders);

        public RenderedConfig Render(ProxyModel model, ProxySettings settings)
        {
            string served = string.Join(',', model.ServedIngresses.Select(i => $"{i.Namespace}/{i.Name}"));
            _rendered.Writer.TryWrite(Interlocked.Increment(ref _renders));
            return new RenderedConfig(Proxy, [new RenderedFile("served", Encoding.UTF8.GetBytes(served), IsPrivate: false)], Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(served))));
        }

        /// <summary>Waits (bounded) until <paramref name="count"/> renderings have been made in all.</summary>
        public async Task RenderedAsync(int count)
        {
            using var timeout = new CancellationTokenSource(Bound);
            while (await _rendered.Reader.ReadAsync(timeout.Token) < count)
            {
            }
        }
    }

    private sealed class RecordingApplier : IConfigApplier
    {
        private readonly Channel<RenderedConfig> _applied = Channel.CreateUnbounded<RenderedConfig>();
        private readonly ConcurrentQueue<RenderedConfig> _all = new();

        public IReadOnlyCollection<RenderedConfig> Applied => _all;

        public Task<ApplyResult> ApplyAsync(RenderedConfig config, CancellationToken cancellationToken)
        {
            _all.Enqueue(config);
            _applied.Writer.TryWrite(config);
            return Task.FromResult(ApplyResult.Applied("recorded"));
        }

        public async Task<RenderedConfig> NextAsync()
        {
            using var timeout = new CancellationTokenSource(Bound);
            return await _applied.Reader.ReadAsync(timeout.Token);
        }
    }
}
