using Microsoft.Extensions.Hosting;

namespace Portico.TestApiServer.Internal;

/// <summary>
/// A host lifetime that ignores process signals: the default console lifetime would stop every test server on
/// Ctrl+C or SIGTERM sent to the test process. Only the owning test stops a server.
/// </summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
