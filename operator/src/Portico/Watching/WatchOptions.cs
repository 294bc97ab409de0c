namespace Portico.Watching;

/// <summary>How watchers talk to the API server.</summary>
public sealed record WatchOptions
{
    /// <summary>Watch only this namespace (cluster-scoped kinds are always watched cluster-wide). Null: all.</summary>
    public string? Namespace { get; init; }

    /// <summary>Objects per list page.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Server-side watch timeout; the watch is then resumed from the last resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A watch with no event and no bookmark for this long is assumed dead and restarted.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>First retry delay while the API server fails; doubles (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How soon an optional kind whose resource is not installed is looked for again; doubles up to
    /// <see cref="AbsentKindMaxRecheck"/> while it stays absent (one cheap 404 a minute at most, by default).
    /// </summary>
    public TimeSpan AbsentKindRecheck { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan AbsentKindMaxRecheck { get; init; } = TimeSpan.FromMinutes(1);
}
