using System.Collections.Concurrent;
using System.Threading.Channels;
using k8s;

namespace Portico.TestApiServer.Tests.Support;

/// <summary>
/// Consumes a client watch in the background: events go to a channel the test reads with bounded waits; errors
/// the client reports (e.g. a 410 Status event) are collected; <see cref="Ended"/> completes when the stream ends,
/// with the exception that ended it or null for a clean end.
/// </summary>
public sealed class WatchRecorder<T> : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<(WatchEventType Type, T Object)> events = Channel.CreateUnbounded<(WatchEventType, T)>();
    private readonly Channel<Exception> errors = Channel.CreateUnbounded<Exception>();
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<Exception> allErrors = new();
    private readonly Task<Exception?> ended;

    /// <summary>Starts consuming the watch that <paramref name="open"/> returns (given the onError callback and a token).</summary>
    public WatchRecorder(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> open)
    {
        ended = Task.Run(() => RunAsync(open));
    }

    /// <summary>Completes when the watch stream ends: null when it ended cleanly, else what broke it.</summary>
    public Task<Exception?> Ended => ended;

    public IReadOnlyCollection<Exception> Errors => allErrors;

    /// <summary>The next event, waiting at most <paramref name="timeout"/> (default 10 s).</summary>
    public async Task<(WatchEventType Type, T Object)> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No watch event arrived in time.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The watch ended before the expected event.", await Ended);
        }
    }

    /// <summary>The next error the client reported through its onError callback.</summary>
    public async Task<Exception> NextErrorAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await errors.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No watch error arrived in time.");
        }
    }

    /// <summary>Whether an event is already waiting (without waiting for one).</summary>
    public bool HasPendingEvent => events.Reader.TryPeek(out _);

    /// <summary>Waits (bounded) for the stream to end and returns what ended it (null: a clean end).</summary>
    public async Task<Exception?> EndAsync(TimeSpan? timeout = null) => await Ended.WaitAsync(timeout ?? DefaultTimeout);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await ended.WaitAsync(DefaultTimeout);
        }
        finally
        {
            stop.Dispose();
        }
    }

    private async Task<Exception?> RunAsync(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> open)
    {
        try
        {
            await foreach (var e in open(OnError, stop.Token).WithCancellation(stop.Token))
            {
                events.Writer.TryWrite(e);
            }

            return null;
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            return e;
        }
        catch (Exception)
        {
            // Stopped by the test: however the stream ended then, it is not the server's doing.
            return null;
        }
        finally
        {
            events.Writer.TryComplete();
        }
    }

    private void OnError(Exception e)
    {
        allErrors.Enqueue(e);
        errors.Writer.TryWrite(e);
    }
}
