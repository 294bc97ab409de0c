using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Portico.Core.Kubernetes;

namespace Portico.Watching;

/// <summary>
/// Keeps one kind in the store: list (paged) and send the whole set, then watch from the list's resourceVersion
/// with bookmarks. A stream that ends or goes silent is resumed from the last resourceVersion seen; 410 Gone
/// (history compacted) means list again; errors back off exponentially with jitter until the API server answers.
/// </summary>
internal sealed partial class ResourceWatcher<T, TList> : IResourceWatcher
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IItems<T>, IMetadata<V1ListMeta>
{
    private readonly ResourceApi<T, TList> _api;
    private readonly WatcherContext _context;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private string? _resumeFrom;

    public ResourceWatcher(ResourceApi<T, TList> api, WatcherContext context)
    {
        _api = api;
        _context = context;
        _logger = context.Logs.CreateLogger("Portico.Watching." + api.Kind);
        _retry = new ResiliencePipelineBuilder { TimeProvider = context.Time }
            .AddRetry(new RetryStrategyOptions
            {
                // Everything but our own shutdown is retried: the client's own request timeout (100 s) surfaces as
                // a TaskCanceledException too, and must not end the operator.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = context.Options.InitialBackoff,
                MaxDelay = context.Options.MaxBackoff,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    _context.Metrics.WatchRestarts.WithLabels(_api.Kind, "error").Inc();
                    LogRetry(args.Outcome.Exception?.Message ?? "unknown error", args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    public string Kind => _api.Kind;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // One session: list if needed, then one watch. A clean end returns here and the next session
                // starts with a fresh retry budget; an exception is retried inside with growing delays, resuming
                // from the last resourceVersion seen (kept in a field, so a broken stream loses nothing).
                await _retry.ExecuteAsync(
                    async token =>
                    {
                        _resumeFrom ??= await ListAllAsync(token);
                        _resumeFrom = await WatchOnceAsync(_resumeFrom, token);
                    },
                    cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Lists every page at one resourceVersion and sends the set to the store. Returns that resourceVersion.</summary>
    private async Task<string> ListAllAsync(CancellationToken cancellationToken)
    {
        var items = new List<IKubernetesObject<V1ObjectMeta>>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = await _api.ListPage(continueToken, _context.Options.PageSize, cancellationToken);
            items.AddRange(page.Items.Cast<IKubernetesObject<V1ObjectMeta>>());
            continueToken = page.Metadata?.ContinueProperty;
            resourceVersion = page.Metadata?.ResourceVersion ?? string.Empty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        await _context.Output.WriteAsync(new KindListed(_api.Kind, items), cancellationToken);
        LogListed(items.Count, resourceVersion);
        return resourceVersion;
    }

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> until the stream ends. Returns the resourceVersion to resume
    /// from, or null when the history is gone (410) and the kind must be listed again.
    /// </summary>
    private async Task<string?> WatchOnceAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        Exception? streamError = null;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var idle = _context.Time.CreateTimer(_ => session.Cancel(), null, _context.Options.IdleTimeout, Timeout.InfiniteTimeSpan);
        int timeoutSeconds = (int)Math.Max(1, _context.Options.WatchTimeout.TotalSeconds);
        try
        {
            await foreach (var (type, item) in _api.Watch(resourceVersion, timeoutSeconds, e => streamError = e, session.Token))
            {
                idle.Change(_context.Options.IdleTimeout, Timeout.InfiniteTimeSpan);
                resourceVersion = item.Metadata?.ResourceVersion ?? resourceVersion;
                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                        await _context.Output.WriteAsync(new ObjectUpserted(_api.Kind, item), cancellationToken);
                        break;
                    case WatchEventType.Deleted:
                        await _context.Output.WriteAsync(new ObjectDeleted(_api.Kind, ObjectStore.KeyOf(item)), cancellationToken);
                        break;
                }

                // Delivered: a stream that breaks from here on resumes after this event.
                _resumeFrom = resourceVersion;

                if (IsGone(streamError))
                {
                    break;
                }
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
        {
            streamError = e;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _context.Metrics.WatchRestarts.WithLabels(_api.Kind, "silent").Inc();
            LogSilent(_context.Options.IdleTimeout);
            return resourceVersion;
        }

        if (IsGone(streamError))
        {
            _context.Metrics.WatchRestarts.WithLabels(_api.Kind, "expired").Inc();
            LogExpired(resourceVersion);
            return null;
        }

        if (streamError is not null)
        {
            throw new WatchFailedException($"watch of {_api.Kind} failed: {streamError.Message}", streamError);
        }

        _context.Metrics.WatchRestarts.WithLabels(_api.Kind, "closed").Inc();
        return resourceVersion;
    }

    private static bool IsGone(Exception? error) => error switch
    {
        KubernetesException k => k.Status?.Code == (int)HttpStatusCode.Gone,
        HttpOperationException h => h.Response.StatusCode == HttpStatusCode.Gone,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} objects at resourceVersion {ResourceVersion}")]
    private partial void LogListed(int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch history expired after resourceVersion {ResourceVersion} (410); listing again")]
    private partial void LogExpired(string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch silent for {Idle}; restarting it")]
    private partial void LogSilent(TimeSpan idle);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API server request failed ({Reason}); retrying in {Delay}")]
    private partial void LogRetry(string reason, TimeSpan delay);
}
