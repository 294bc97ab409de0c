namespace Portico.TestApiServer;

/// <summary>
/// Faults a test switches on at run time to see how a client copes with an unhealthy API server: failed requests,
/// slow responses, broken or expired watches. (Stopping the whole server is <see cref="TestApiServer.StopAsync"/>.)
/// Resource filters name the plural resource ("ingresses"); verb filters use <see cref="ApiVerbs"/>; null matches all.
/// </summary>
public sealed class FaultInjector
{
    /// <summary>Injected latency is bounded, so a mistaken test cannot hang a run.</summary>
    public static readonly TimeSpan MaxLatency = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();
    private readonly List<FailureRule> failures = [];
    private readonly Func<bool, int> dropWatches;
    private readonly Action<int> expireWatches;
    private readonly Action clearStoreFaults;
    private (TimeSpan Delay, string? Resource, string? Verb) latency;

    internal FaultInjector(Func<bool, int> dropWatches, Action<int> expireWatches, Action clearStoreFaults)
    {
        this.dropWatches = dropWatches;
        this.expireWatches = expireWatches;
        this.clearStoreFaults = clearStoreFaults;
    }

    /// <summary>The next <paramref name="count"/> matching requests fail with <paramref name="statusCode"/> and a Status body.</summary>
    public void FailNextRequests(int count, int statusCode = 500, string? resource = null, string? verb = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        CheckStatusCode(statusCode);
        lock (gate)
        {
            failures.Add(new FailureRule(statusCode, resource, verb, count));
        }
    }

    /// <summary>Every matching request fails with <paramref name="statusCode"/> until the returned handle is disposed.</summary>
    public IDisposable FailRequests(int statusCode = 500, string? resource = null, string? verb = null)
    {
        CheckStatusCode(statusCode);
        var rule = new FailureRule(statusCode, resource, verb, null);
        lock (gate)
        {
            failures.Add(rule);
        }

        return new Handle(() =>
        {
            lock (gate)
            {
                failures.Remove(rule);
            }
        });
    }

    /// <summary>Delays every matching request by <paramref name="delay"/> (on the server's TimeProvider); zero turns it off.</summary>
    public void SetLatency(TimeSpan delay, string? resource = null, string? verb = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delay, MaxLatency);
        lock (gate)
        {
            latency = (delay, resource, verb);
        }
    }

    /// <summary>
    /// Ends every open watch now: by aborting the connection (the client's read fails mid-stream, as when an API
    /// server dies) or, with <paramref name="abort"/> false, by ending the stream cleanly (as on a server-side
    /// timeout). Returns how many watches were dropped.
    /// </summary>
    public int DropWatches(bool abort = true) => dropWatches(abort);

    /// <summary>The next <paramref name="count"/> watches get an ERROR event with a 410 Expired Status, then the stream ends.</summary>
    public void ExpireNextWatches(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        expireWatches(count);
    }

    /// <summary>Clears every failure rule, the latency and pending watch expiries.</summary>
    public void Reset()
    {
        lock (gate)
        {
            failures.Clear();
            latency = default;
        }

        clearStoreFaults();
    }

    /// <summary>The status code to fail this request with, consuming one use of a counted rule; null to serve it.</summary>
    internal int? TakeFailure(string? resource, string verb)
    {
        lock (gate)
        {
            var index = failures.FindIndex(r => r.Matches(resource, verb));
            if (index < 0)
            {
                return null;
            }

            var rule = failures[index];
            if (rule.Remaining is int remaining)
            {
                if (remaining > 1)
                {
                    failures[index] = rule with { Remaining = remaining - 1 };
                }
                else
                {
                    failures.RemoveAt(index);
                }
            }

            return rule.StatusCode;
        }
    }

    internal TimeSpan LatencyFor(string? resource, string verb)
    {
        lock (gate)
        {
            var (delay, onlyResource, onlyVerb) = latency;
            return (onlyResource is null || onlyResource == resource) && (onlyVerb is null || onlyVerb == verb) ? delay : TimeSpan.Zero;
        }
    }

    private static void CheckStatusCode(int statusCode)
    {
        if (statusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "An injected failure is a 4xx or 5xx status.");
        }
    }

    private sealed record FailureRule(int StatusCode, string? Resource, string? Verb, int? Remaining)
    {
        public bool Matches(string? resource, string verb) => (Resource is null || Resource == resource) && (Verb is null || Verb == verb);
    }

    private sealed class Handle(Action dispose) : IDisposable
    {
        private Action? dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref dispose, null)?.Invoke();
    }
}
