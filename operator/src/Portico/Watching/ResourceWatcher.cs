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
/// An optional kind whose resource is not installed (the list answers 404) is sent to the store as listed and
/// empty, so it does not hold the first build, and is checked again with a bounded backoff until it appears.
/// </summary>
internal sealed partial class ResourceWatcher : IResourceWatcher
{
    private readonly ResourceApi _api;
    private readonly WatcherContext _context;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private string? _resumeFrom;

    /// <summary>Whether the kind's resource answered its last list: null before the first answer.</summary>
    private bool? _available;

    public ResourceWatcher(ResourceApi api, WatcherContext context)
    {
        _api = api;
        _context = context;
        _logger = context.Logs.CreateLogger("Portico.Watching." + api.Kind.Kind);
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
                    _context.Metrics.WatchRestarts.WithLabels(Kind, "error").Inc();
                    LogRetry(args.Outcome.Exception?.Message ?? "unknown error", args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    public string Kind => _api.Kind.Kind;

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
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Shutting down: whatever the last attempt failed with (a 404 that raced the stop, a broken
                // stream), it is not a failure of the operator, and the retry policy no longer handles it.
                return;
            }
        }
    }

    /// <summary>
    /// Lists every page at one resourceVersion and sends the set to the store. Returns that resourceVersion. An
    /// optional kind that is not installed is waited for here (see <see cref="WaitWhileAbsentAsync"/>).
    /// </summary>
    private async Task<string> ListAllAsync(CancellationToken cancellationToken)
    {
        var recheck = _context.Options.AbsentKindRecheck;
        while (true)
        {
            try
            {
                var (items, resourceVersion) = await ListPagesAsync(cancellationToken);
                if (_available != true)
                {
                    _context.Metrics.KindAvailable.WithLabels(Kind).Set(1);
                    if (_available == false)
                    {
                        LogAppeared();
                    }

                    _available = true;
                }

                await _context.Output.WriteAsync(new KindListed(Kind, items), cancellationToken);
                LogListed(items.Count, resourceVersion);
                return resourceVersion;
            }
            catch (HttpOperationException e) when (IsAbsent(e))
            {
                await WaitWhileAbsentAsync(recheck, cancellationToken);
                recheck = TimeSpan.FromTicks(Math.Min(recheck.Ticks * 2, _context.Options.AbsentKindMaxRecheck.Ticks));
            }
        }
    }

    private async Task<(List<IKubernetesObject<V1ObjectMeta>> Items, string ResourceVersion)> ListPagesAsync(CancellationToken cancellationToken)
    {
        var items = new List<IKubernetesObject<V1ObjectMeta>>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = await _api.ListPage(continueToken, _context.Options.PageSize, cancellationToken);
            items.AddRange(page.Items);
            continueToken = page.Continue;
            resourceVersion = page.ResourceVersion ?? string.Empty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        return (items, resourceVersion);
    }

    /// <summary>
    /// The optional kind's resource is not installed: the first time (and after it disappears) say so once, set the
    /// gauge to 0 and tell the store the kind is listed with no objects, so everything else is built and served;
    /// then wait <paramref name="recheck"/> before the next look.
    /// </summary>
    private async Task WaitWhileAbsentAsync(TimeSpan recheck, CancellationToken cancellationToken)
    {
        if (_available != false)
        {
            _available = false;
            _context.Metrics.KindAvailable.WithLabels(Kind).Set(0);
            LogAbsent(_api.Kind.ApiVersion, _api.Kind.Resource);
            await _context.Output.WriteAsync(new KindListed(Kind, []), cancellationToken);
        }

        await Task.Delay(recheck, _context.Time, cancellationToken);
    }

    /// <summary>A 404 on an optional kind's collection: its resource (CRD) is not installed. Required kinds retry as for any error.</summary>
    private bool IsAbsent(HttpOperationException e) =>
        _api.Kind.Requirement == KindRequirement.Optional && e.Response?.StatusCode == HttpStatusCode.NotFound;

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> until the stream ends. Returns the resourceVersion to resume
    /// from, or null when the kind must be listed again: the history is gone (410), or an optional kind's resource is (404).
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
                        await _context.Output.WriteAsync(new ObjectUpserted(Kind, item), cancellationToken);
                        break;
                    case WatchEventType.Deleted:
                        await _context.Output.WriteAsync(new ObjectDeleted(Kind, ObjectStore.KeyOf(item)), cancellationToken);
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
        catch (HttpOperationException e) when (IsAbsent(e))
        {
            // The resource went away (CRD deleted): list again, which finds it absent and waits for it.
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _context.Metrics.WatchRestarts.WithLabels(Kind, "silent").Inc();
            LogSilent(_context.Options.IdleTimeout);
            return resourceVersion;
        }

        if (IsGone(streamError))
        {
            _context.Metrics.WatchRestarts.WithLabels(Kind, "expired").Inc();
            LogExpired(resourceVersion);
            return null;
        }

        if (streamError is not null)
        {
            throw new WatchFailedException($"watch of {Kind} failed: {streamError.Message}", streamError);
        }

        _context.Metrics.WatchRestarts.WithLabels(Kind, "closed").Inc();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The optional resource {ApiVersion} {Resource} is not installed (404); serving without it and checking again until it appears")]
    private partial void LogAbsent(string apiVersion, string resource);

    [LoggerMessage(Level = LogLevel.Information, Message = "The optional resource is installed now; listing and watching it")]
    private partial void LogAppeared();

    [LoggerMessage(Level = LogLevel.Warning, Message = "API server request failed ({Reason}); retrying in {Delay}")]
    private partial void LogRetry(string reason, TimeSpan delay);
}
