using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Portico.TestApiServer.Tests.Support;

/// <summary>Starts a fresh server and a real KubernetesClient for every test; stops both afterwards.</summary>
public abstract class ApiServerTest
{
    /// <summary>Every wait in these tests is bounded by this.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    protected TestApiServer Server { get; private set; } = null!;

    protected Kubernetes Client { get; private set; } = null!;

    /// <summary>Per-fixture options (e.g. a manual clock); the defaults otherwise.</summary>
    protected virtual TestApiServerOptions CreateOptions() => new();

    [SetUp]
    public async Task StartServerAsync()
    {
        Server = await TestApiServer.StartAsync(CreateOptions());
        Client = Server.CreateClient();
    }

    [TearDown]
    public async Task StopServerAsync()
    {
        Client?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>The HTTP status and the Status body of an API call that must fail.</summary>
    protected static async Task<(HttpStatusCode Code, V1Status Status)> FailureOf(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e)
        {
            return (e.Response.StatusCode, KubernetesJson.Deserialize<V1Status>(e.Response.Content));
        }

        Assert.Fail("The API call succeeded; it should have failed.");
        return default;
    }

    /// <summary>Opens a watch through the client's async-enumerable watch API and records what it sees.</summary>
    protected static WatchRecorder<T> Record<T>(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> open) =>
        new(open);
}
