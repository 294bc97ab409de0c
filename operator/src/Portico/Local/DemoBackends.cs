using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Portico.Core.Model;
using Portico.Syncing;

namespace Portico.Local;

/// <summary>
/// Local mode's demo backends (<c>--demo-backends</c>): for every loopback endpoint the model routes to, a tiny
/// HTTP server that answers with its upstream's name and the request line, so a newcomer can curl through nginx
/// without writing a backend. Endpoints some other process already listens on are left alone.
/// </summary>
public sealed partial class DemoBackends(ILogger<DemoBackends> logger) : IModelListener, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, WebApplication?> _servers = new(StringComparer.Ordinal);

    public void OnModel(ProxyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var upstream in model.Upstreams)
        {
            foreach (var endpoint in upstream.Endpoints)
            {
                if (IPAddress.IsLoopback(endpoint.Address) && _servers.TryAdd(endpoint.HostPort, null))
                {
                    _servers[endpoint.HostPort] = TryStart(upstream.Name, endpoint.Address, endpoint.Port);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values.OfType<WebApplication>())
        {
            await server.DisposeAsync();
        }
    }

    private WebApplication? TryStart(string name, IPAddress address, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port));
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync($"{name} ({address}:{port}) answers {context.Request.Method} {context.Request.Path}{context.Request.QueryString} for host {context.Request.Host}\n");
        });
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
            LogStarted(name, address, port);
            return app;
        }
        catch (IOException)
        {
            LogTaken(address, port);
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo backend {Name} answers on {Address}:{Port}")]
    private partial void LogStarted(string name, IPAddress address, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo backend not started on {Address}:{Port}: something already listens there")]
    private partial void LogTaken(IPAddress address, int port);
}
