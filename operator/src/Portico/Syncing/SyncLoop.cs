using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portico.Core.Kubernetes;
using Portico.Observability;

namespace Portico.Syncing;

/// <summary>
/// The single writer of the store: sources send events into one channel, this loop applies them in order through a
/// <see cref="ChangeBatcher"/> and publishes a snapshot whenever a batch is due. Publishing never blocks: the
/// output keeps only the newest batch, so a slow rebuild is followed by one rebuild of the latest state. A batch that
/// starts after a quiet spell is also sent to <see cref="Previews"/> at once (<see cref="ChangeBatcher.TakePreview"/>),
/// for the pipeline to prepare while the holdoff runs; only the batch is ever applied.
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
    private readonly ChannelWriter<ClusterSnapshot>? _previews;

    public SyncLoop(ChannelReader<StoreEvent> input, ChannelWriter<SyncBatch> output, IEnumerable<string> requiredKinds, SyncOptions options, TimeProvider time, ILogger<SyncLoop> logger, PorticoMetrics metrics, KindRegistry? kinds = null, SecretFetching? secrets = null, ChannelWriter<ClusterSnapshot>? previews = null)
    {
        _previews = previews;
        _input = input;
        _output = output;
        _batcher = new ChangeBatcher(requiredKinds, options, kinds, secrets?.Keeper);
        _secrets = secrets;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _origin = time.GetTimestamp();
    }

    /// <summary>
    /// In a cluster, only referenced Secrets are kept (<see cref="SecretKeeper"/>); a Secret that becomes referenced
    /// after it was seen is read with <see cref="Reader"/> and sent back into the loop's input through <see cref="Feedback"/>.
    /// </summary>
    public sealed record SecretFetching(SecretKeeper Keeper, ISecretReader Reader, ChannelWriter<StoreEvent> Feedback);

    private readonly SecretFetching? _secrets;

    /// <summary>A bounded channel for sources to write into (they wait when the loop falls behind).</summary>
    public static Channel<StoreEvent> CreateInput(int capacity = 10_000) =>
        Channel.CreateBounded<StoreEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>The loop's output: only the newest batch is kept.</summary>
    public static Channel<SyncBatch> CreateOutput() =>
        Channel.CreateBounded<SyncBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>The loop's previews: only the newest is kept.</summary>
    public static Channel<ClusterSnapshot> CreatePreviews() =>
        Channel.CreateBounded<ClusterSnapshot>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest });

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
                    if (_secrets is not null && change.Kind != KnownKinds.Secret)
                    {
                        // An Ingress or policy that starts or stops referencing a Secret moves it into or out of the store.
                        _metrics.Objects.WithLabels(KnownKinds.Secret).Set(_batcher.Store.Count(KnownKinds.Secret));
                    }
                }

                if (!wasSynced && _batcher.IsSynced)
                {
                    LogSynced();
                }
            }

            if (_previews is not null && _batcher.TakePreview() is { } preview)
            {
                _previews.TryWrite(preview);
            }

            if (_secrets is { } secrets)
            {
                foreach (var key in secrets.Keeper.TakeWanted())
                {
                    _ = FetchAsync(secrets, key, cancellationToken);
                }
            }
        }
    }

    /// <summary>
    /// Reads a newly referenced Secret and hands it to the loop; a failing read is tried again (at most five times,
    /// waiting 1, 2, 4, 8 s) and then given up with a warning: the route that needs it keeps failing closed until the
    /// Secret changes or is referenced anew.
    /// </summary>
    private async Task FetchAsync(SecretFetching secrets, NamespacedName key, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var secret = await secrets.Reader.ReadAsync(key, cancellationToken).ConfigureAwait(false);
                await secrets.Feedback.WriteAsync(new SecretFetched(key, secret), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (attempt == 5)
                {
                    LogFetchFailed(key.Namespace, key.Name, e.Message);
                    try
                    {
                        await secrets.Feedback.WriteAsync(new SecretFetched(key, null), cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Shutting down.
                    }

                    return;
                }
            }

            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay *= 2;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the newly referenced Secret {Namespace}/{Name}: {Error}; its routes keep failing closed until it changes")]
    private partial void LogFetchFailed(string @namespace, string name, string error);

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Every kind is synced; building the first configuration")]
    private partial void LogSynced();
}
