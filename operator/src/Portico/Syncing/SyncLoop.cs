using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portico.Core.Kubernetes;
using Portico.Observability;

namespace Portico.Syncing;

/// <summary>
/// The single writer of the store: sources send events into one channel, this loop applies them in order through a
/// <see cref="ChangeBatcher"/> and publishes a snapshot whenever a batch is due. Publishing never blocks: the
/// output keeps only the newest batch, so a slow rebuild is followed by one rebuild of the latest state.
/// </summary>
public sealed partial class SyncLoop
{
    private readonly ChannelReader<StoreEvent> _input;
    private readonly ChannelWriter<SyncBatch> _output;
    private readonly ChangeBatcher _batcher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PorticoMetrics _metrics;
    private readonly long _origin;

    public SyncLoop(ChannelReader<StoreEvent> input, ChannelWriter<SyncBatch> output, IEnumerable<string> requiredKinds, SyncOptions options, TimeProvider time, ILogger<SyncLoop> logger, PorticoMetrics metrics, KindRegistry? kinds = null)
    {
        _input = input;
        _output = output;
        _batcher = new ChangeBatcher(requiredKinds, options, kinds);
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _origin = time.GetTimestamp();
    }

    /// <summary>A bounded channel for sources to write into (they wait when the loop falls behind).</summary>
    public static Channel<StoreEvent> CreateInput(int capacity = 10_000) =>
        Channel.CreateBounded<StoreEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>The loop's output: only the newest batch is kept.</summary>
    public static Channel<SyncBatch> CreateOutput() =>
        Channel.CreateBounded<SyncBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest });

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Task<bool>? readable = null;
        while (true)
        {
            readable ??= _input.WaitToReadAsync(cancellationToken).AsTask();
            if (_batcher.DueIn(Now) is { } due)
            {
                if (due <= TimeSpan.Zero)
                {
                    var (snapshot, firstChange) = _batcher.Take();
                    _output.TryWrite(new SyncBatch(snapshot, _origin + (long)(firstChange.TotalSeconds * _time.TimestampFrequency)));
                    continue;
                }

                using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(readable, Task.Delay(due, _time, wake.Token));
                await wake.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
                if (!readable.IsCompleted)
                {
                    continue;
                }
            }

            if (!await readable)
            {
                return;
            }

            readable = null;
            while (_input.TryRead(out var change))
            {
                bool wasSynced = _batcher.IsSynced;
                if (_batcher.Apply(change, Now))
                {
                    _metrics.Objects.WithLabels(change.Kind).Set(_batcher.Store.Count(change.Kind));
                }

                if (!wasSynced && _batcher.IsSynced)
                {
                    LogSynced();
                }
            }
        }
    }

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Every kind is synced; building the first configuration")]
    private partial void LogSynced();
}
