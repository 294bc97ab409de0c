namespace Portico.TestApiServer;

/// <summary>How a <see cref="TestApiServer"/> behaves; the defaults resemble a real API server.</summary>
public sealed record TestApiServerOptions
{
    /// <summary>
    /// The clock for creationTimestamps, bookmark intervals, watch timeoutSeconds and injected latency. A fake
    /// clock makes those deterministic (the test advances it); waits in the test-side API always use real time.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How many events the server remembers for watches (etcd's compaction window). Older resourceVersions get 410 Expired.</summary>
    public int EventHistoryLimit { get; init; } = 1000;

    /// <summary>How often watches that asked for bookmarks get one (the real server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The bound on the test-side waits when the caller gives none.</summary>
    public TimeSpan DefaultWaitTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The loopback port to listen on; 0 picks a free one (kept across <see cref="TestApiServer.RestartAsync"/>).</summary>
    public int Port { get; init; }

    /// <summary>How many requests the log keeps (oldest dropped first).</summary>
    public int RequestLogLimit { get; init; } = 10_000;
}
