namespace Portico.Local;

/// <summary>
/// How long local mode waits before starting its proxy again after it exited: <see cref="Initial"/> after the first
/// exit, doubled after each exit that follows a short run, at most <see cref="Max"/>; a proxy that ran for
/// <see cref="HealthyAfter"/> or longer before it exited starts again after <see cref="Initial"/>, and the doubling
/// begins anew. A proxy that cannot start (a port taken, a broken binary) is then retried a few times quickly and
/// afterwards twice a minute, instead of in a tight loop. Not thread-safe: one supervisor asks it.
/// </summary>
public sealed class RestartBackoff
{
    public RestartBackoff(TimeSpan initial, TimeSpan max, TimeSpan healthyAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(healthyAfter, TimeSpan.Zero);
        Initial = initial;
        Max = max;
        HealthyAfter = healthyAfter;
        _next = initial;
    }

    private TimeSpan _next;

    /// <summary>Local mode's: 1 s, 2 s, 4 s, ... at most 30 s; back to 1 s after a run of a minute.</summary>
    public static RestartBackoff CreateDefault() => new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));

    public TimeSpan Initial { get; }

    public TimeSpan Max { get; }

    public TimeSpan HealthyAfter { get; }

    /// <summary>The wait before the next start, for a proxy that had run for <paramref name="ranFor"/> when it exited.</summary>
    public TimeSpan Next(TimeSpan ranFor)
    {
        if (ranFor >= HealthyAfter)
        {
            _next = Initial;
        }

        var delay = _next;
        _next = _next * 2 > Max ? Max : _next * 2;
        return delay;
    }
}
