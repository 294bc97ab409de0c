using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portico.TestApiServer.Api;
using Portico.TestApiServer.Internal;
using Portico.TestApiServer.Resources;
using Portico.TestApiServer.Storage;

namespace Portico.TestApiServer;

/// <summary>
/// An in-memory Kubernetes API server on 127.0.0.1 that speaks the real REST protocol (list/watch, resourceVersions,
/// Status errors, status subresources), so code using the official KubernetesClient runs against it unchanged.
/// Each instance is independent (own port, own state): tests may run in parallel.
/// Besides HTTP it offers a test-side API to seed and inspect state, to wait (bounded, event-driven) for
/// conditions, to see what clients requested, and to inject faults (<see cref="Faults"/>, <see cref="StopAsync"/>).
/// </summary>
public sealed class TestApiServer : IAsyncDisposable
{
    private readonly TestApiServerOptions options;
    private readonly ChangeNotifier notifier = new();
    private readonly ObjectStore store;
    private readonly RequestLog requests;
    private readonly AdmissionHooks admission = new();
    private readonly ResourceOperations operations;
    private readonly ServedResources served = new();
    private readonly ApiRequestHandler handler;
    private readonly ITimer? bookmarkTimer;
    private readonly SemaphoreSlim lifecycle = new(1, 1);
    private CancellationTokenSource stopping = new();
    private WebApplication? app;
    private int port;
    private bool disposed;

    private TestApiServer(TestApiServerOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.EventHistoryLimit);
        this.options = options;
        port = options.Port;
        store = new ObjectStore(options.EventHistoryLimit, notifier.Notify);
        requests = new RequestLog(options.RequestLogLimit, notifier.Notify);
        operations = new ResourceOperations(store, options.TimeProvider, admission);
        Faults = new FaultInjector(store.DropWatches, store.ExpireNextWatches, store.ClearFaults);
        handler = new ApiRequestHandler(
            operations, served, Faults, requests, options.TimeProvider, () => $"127.0.0.1:{port}", () => Volatile.Read(ref stopping).Token);
        if (options.BookmarkInterval > TimeSpan.Zero && options.BookmarkInterval != Timeout.InfiniteTimeSpan)
        {
            bookmarkTimer = options.TimeProvider.CreateTimer(_ => store.EmitBookmarks(), null, options.BookmarkInterval, options.BookmarkInterval);
        }
    }

    /// <summary>Starts a server on a free loopback port (or <see cref="TestApiServerOptions.Port"/>).</summary>
    public static async Task<TestApiServer> StartAsync(TestApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new TestApiServer(options ?? new TestApiServerOptions());
        try
        {
            await server.RestartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>http://127.0.0.1:PORT/ — the port stays the same across <see cref="StopAsync"/> and <see cref="RestartAsync"/>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{port}/");

    /// <summary>Whether the server is accepting connections (false between <see cref="StopAsync"/> and <see cref="RestartAsync"/>).</summary>
    public bool IsRunning => Volatile.Read(ref app) is not null;

    /// <summary>Run-time fault injection: failing or slow requests, dropped or expired watches.</summary>
    public FaultInjector Faults { get; }

    /// <summary>The store's current (global) resourceVersion: the revision of the last committed write.</summary>
    public long ResourceVersion => store.Revision;

    /// <summary>How many watch streams are open now.</summary>
    public int ActiveWatchCount => store.WatchCount;

    /// <summary>Every request answered so far, oldest first (bounded by <see cref="TestApiServerOptions.RequestLogLimit"/>).</summary>
    public IReadOnlyList<RecordedRequest> Requests => requests.Snapshot();

    /// <summary>The requests that wrote a status subresource (PUT or PATCH .../status), oldest first.</summary>
    public IReadOnlyList<RecordedRequest> StatusWrites => requests.Snapshot().Where(r => r.IsStatusWrite).ToList();

    /// <summary>A client configuration for this server: plain HTTP, no authentication.</summary>
    public KubernetesClientConfiguration CreateClientConfiguration() => new() { Host = BaseAddress.AbsoluteUri.TrimEnd('/') };

    /// <summary>A new KubernetesClient pointed at this server (the caller disposes it).</summary>
    public Kubernetes CreateClient() => new(CreateClientConfiguration());

    /// <summary>
    /// Simulates an outage: open watches and in-flight requests are cut off and the port stops accepting
    /// connections (clients get "connection refused"). State, resourceVersions and history are kept.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await lifecycle.WaitAsync(cancellationToken);
        try
        {
            await StopCoreAsync(cancellationToken);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>Starts serving again on the same port with the same state (stopping first when running).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await lifecycle.WaitAsync(cancellationToken);
        try
        {
            await StopCoreAsync(cancellationToken);
            Volatile.Write(ref stopping, new CancellationTokenSource());
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(TestApiServer).Assembly.GetName().Name,
                ContentRootPath = AppContext.BaseDirectory,
                Args = [],
            });
            builder.Logging.ClearProviders();
            builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(5));
            builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(IPAddress.Loopback, port);
            });
            var created = builder.Build();
            ((IApplicationBuilder)created).Run(handler.HandleAsync);
            await created.StartAsync(cancellationToken);
            var address = created.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            port = new Uri(address).Port;
            Volatile.Write(ref app, created);
        }
        finally
        {
            lifecycle.Release();
        }

        notifier.Notify();
    }

    /// <summary>
    /// Stores an object directly, bypassing HTTP, validation and status rules (status is stored as given):
    /// creates it, or replaces it keeping its uid and creationTimestamp unless given. Watches see ADDED/MODIFIED.
    /// A namespaced object without a namespace goes to "default". Returns the stored object.
    /// </summary>
    public T Upsert<T>(T obj)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(obj);
        var resource = served.ForType(obj.GetType());
        var stored = operations.Upsert(resource, JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject());
        return (T)resource.ToModel(stored.Json);
    }

    /// <summary>Upserts several objects of any served kinds, in order.</summary>
    public void UpsertAll(params IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
    {
        foreach (var obj in objects)
        {
            Upsert(obj);
        }
    }

    /// <summary>The stored object, or null. The namespace is ignored for cluster-scoped kinds.</summary>
    public T? Get<T>(string? ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = served.ForType(typeof(T));
        var stored = store.Get(resource, resource.Namespaced ? ns : null, name);
        return stored is null ? null : (T)resource.ToModel(stored.Json);
    }

    /// <summary>All stored objects of a kind (in one namespace, or all when null), in key order.</summary>
    public IReadOnlyList<T> List<T>(string? ns = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = served.ForType(typeof(T));
        return store.Snapshot(resource).Values
            .Where(o => ns is null || o.Namespace == ns)
            .Select(o => (T)resource.ToModel(o.Json))
            .ToList();
    }

    /// <summary>Deletes an object directly (watches see DELETED); false when it did not exist.</summary>
    public bool Delete<T>(string? ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = served.ForType(typeof(T));
        var (_, previous) = store.Write(resource, resource.Namespaced ? ns : null, name, current => current is null ? Change.None : Change.Delete);
        return previous is not null;
    }

    /// <summary>
    /// Serves a custom resource from now on, as installing its CRD would: list, watch and writes at
    /// <c>/apis/{group}/{version}/[namespaces/{ns}/]{plural}</c>, discovery, and this test-side API for
    /// <typeparamref name="T"/>. Until then, requests for it get 404 like any unknown resource.
    /// </summary>
    public void ServeCustomResource<T>(string group, string version, string plural, string kind, bool namespaced, bool statusSubresource = false)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        served.Add(ResourceRegistry.CustomResource<T>(group, version, plural, kind, namespaced, statusSubresource));
        notifier.Notify();
    }

    /// <summary>
    /// Discards the event history, as etcd compaction does: watches (and continue tokens) from any resourceVersion
    /// before now get 410 Expired.
    /// </summary>
    public void Compact() => store.Compact();

    /// <summary>Sends a BOOKMARK now to every watch that asked for bookmarks; returns how many got one.</summary>
    public int SendBookmarks() => store.EmitBookmarks();

    public void ClearRequests() => requests.Clear();

    /// <summary>
    /// Adds a validation rule for API writes of <typeparamref name="T"/> (create, update, patch, status): a
    /// non-null message rejects the write with 422 Invalid. Dispose the result to remove the rule.
    /// </summary>
    public IDisposable AddValidation<T>(Func<T, string?> validate)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(validate);
        var resource = served.ForType(typeof(T));
        return admission.Add(resource, json => validate((T)resource.ToModel(json)));
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, re-checking it whenever the server's state, request log or
    /// watches change; throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (default
    /// <see cref="TestApiServerOptions.DefaultWaitTimeout"/>, real time).
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? options.DefaultWaitTimeout;
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            // Take the signal before checking, so a change between the check and the wait is not missed.
            var changed = notifier.NextChange;
            if (condition())
            {
                return;
            }

            var remaining = limit - TimeProvider.System.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"The condition did not hold within {limit}.");
            }

            try
            {
                await changed.WaitAsync(remaining, TimeProvider.System, cancellationToken);
            }
            catch (TimeoutException)
            {
                if (condition())
                {
                    return;
                }

                throw new TimeoutException($"The condition did not hold within {limit}.");
            }
        }
    }

    /// <summary>Waits until the object exists and satisfies <paramref name="predicate"/>; returns it.</summary>
    public async Task<T> WaitForObjectAsync<T>(
        string? ns, string name, Func<T, bool> predicate, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(predicate);
        T? found = null;
        await WaitUntilAsync(() => (found = Get<T>(ns, name)) is not null && predicate(found), timeout, cancellationToken);
        return found!;
    }

    /// <summary>Waits for a request (already answered or future) matching <paramref name="predicate"/>; returns the first.</summary>
    public async Task<RecordedRequest> WaitForRequestAsync(
        Func<RecordedRequest, bool> predicate, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        RecordedRequest? found = null;
        await WaitUntilAsync(() => (found = requests.Snapshot().FirstOrDefault(predicate)) is not null, timeout, cancellationToken);
        return found!;
    }

    /// <summary>Waits until at least <paramref name="count"/> watch streams are open.</summary>
    public Task WaitForWatchesAsync(int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(() => store.WatchCount >= count, timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await StopAsync();
        if (bookmarkTimer is not null)
        {
            await bookmarkTimer.DisposeAsync();
        }

        stopping.Dispose();
        lifecycle.Dispose();
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        var running = Volatile.Read(ref app);
        if (running is null)
        {
            return;
        }

        Volatile.Write(ref app, null);

        // Cut off watches and in-flight (e.g. delayed) requests first, so Kestrel's shutdown does not wait for them.
        store.DropWatches(abort: true);
        await stopping.CancelAsync();
        await running.StopAsync(cancellationToken);
        await running.DisposeAsync();
        stopping.Dispose();
        notifier.Notify();
    }
}
