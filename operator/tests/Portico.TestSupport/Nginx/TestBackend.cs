using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;

namespace Portico.TestSupport.Nginx;

/// <summary>
/// A tiny HTTP server on 127.0.0.1 (a port the system picks) standing in for a pod. Every request is answered
/// 200 with a <see cref="BackendEcho"/> as JSON (header X-Backend: its name); a WebSocket upgrade is accepted and
/// every message is echoed back as "NAME: MESSAGE". The query can ask for more: <c>respond-header=NAME:VALUE</c>
/// (repeatable) adds that response header, <c>delay-ms=N</c> waits N ms (at most 60 s) before answering, a slow
/// backend for timeout tests. A backend named "failing-NNN" answers every request with status
/// NNN instead (an endpoint that fails, for retry tests), still with its echo and name header. A request for <see cref="AuthPath"/> is answered as an
/// external-auth check instead.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    public const string NameHeader = "X-Backend";

    /// <summary>The path every backend answers as an external-auth check instead of echoing (<see cref="AnswerAuthCheckAsync"/>).</summary>
    public const string AuthPath = "/_test/auth";

    /// <summary>The request header that decides an auth check: "allow", "forbid", anything else is 401.</summary>
    public const string AuthDecisionHeader = "X-Test-Auth";

    /// <summary>The header an allowing auth check answers with the user's name.</summary>
    public const string AuthUserHeader = "X-Auth-User";

    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;

    private TestBackend(string name, WebApplication app, int port)
    {
        Name = name;
        _app = app;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    public static async Task<TestBackend> StartAsync(string name, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "portico-test-backend-" + name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.AddWebSockets(_ => { });
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(context => HandleAsync(name, context));
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token);
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            int port = new Uri(addresses.Single()).Port;
            return new TestBackend(name, app, port);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    public override string ToString() => $"backend {Name} on 127.0.0.1:{Port}";

    private static async Task HandleAsync(string name, HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await EchoAsync(name, socket, context.RequestAborted);
            return;
        }

        var request = context.Request;
        string? Header(string header) => request.Headers.TryGetValue(header, out var values) ? values.ToString() : null;
        if (request.Path.Value == AuthPath)
        {
            await AnswerAuthCheckAsync(name, context, Header(AuthDecisionHeader));
            return;
        }

        var echo = new BackendEcho
        {
            Backend = name,
            Method = request.Method,
            Target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
            Protocol = request.Protocol,
            Host = Header("Host"),
            Connection = Header("Connection"),
            XForwardedFor = Header("X-Forwarded-For"),
            XForwardedProto = Header("X-Forwarded-Proto"),
            XForwardedHost = Header("X-Forwarded-Host"),
            XForwardedPort = Header("X-Forwarded-Port"),
            XRealIp = Header("X-Real-IP"),
            ConnectionId = context.Connection.Id,
            Headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value.ToArray()), StringComparer.Ordinal),
        };
        if (request.Query.TryGetValue("delay-ms", out var delay) && int.TryParse(delay, out int ms))
        {
            // The slow backend a timeout test needs: the proxy must give up first.
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(ms, 0, 60_000)), context.RequestAborted);
        }

        foreach (string? header in request.Query.TryGetValue("respond-header", out var headers) ? headers.ToArray() : [])
        {
            int colon = header?.IndexOf(':') ?? -1;
            if (colon > 0)
            {
                context.Response.Headers.Append(header![..colon], header[(colon + 1)..]);
            }
        }

        context.Response.StatusCode = name.StartsWith("failing-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(8), out int failing) ? failing : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers[NameHeader] = name;
        await context.Response.WriteAsync(JsonSerializer.Serialize(echo, BackendEcho.JsonOptions), context.RequestAborted);
    }

    /// <summary>
    /// An external-auth check: <see cref="AuthDecisionHeader"/> "allow" answers 200 with <see cref="AuthUserHeader"/>
    /// (the user named in X-Test-User, or "alice"), "forbid" 403; anything else 401. The answer also says which method
    /// and original URI the check saw (X-Seen-Method, X-Seen-Uri).
    /// </summary>
    private static Task AnswerAuthCheckAsync(string name, HttpContext context, string? decision)
    {
        var response = context.Response;
        response.Headers[NameHeader] = name;
        response.Headers["X-Seen-Method"] = context.Request.Headers["X-Original-Method"].ToString();
        response.Headers["X-Seen-Uri"] = context.Request.Headers["X-Original-URI"].ToString();
        switch (decision)
        {
            case "allow":
                response.StatusCode = StatusCodes.Status200OK;
                response.Headers[AuthUserHeader] = context.Request.Headers.TryGetValue("X-Test-User", out var user) ? user.ToString() : "alice";
                break;
            case "forbid":
                response.StatusCode = StatusCodes.Status403Forbidden;
                break;
            default:
                response.StatusCode = StatusCodes.Status401Unauthorized;
                break;
        }

        return Task.CompletedTask;
    }

    private static async Task EchoAsync(string name, WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
                    return;
                }

                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            byte[] reply = Encoding.UTF8.GetBytes(name + ": " + Encoding.UTF8.GetString(message.ToArray()));
            await socket.SendAsync(reply, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
    }
}
