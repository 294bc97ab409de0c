using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Portico.Core.Kubernetes;
using Portico.Core.Rendering;
using Portico.Hosting;
using Portico.Options;
using Portico.Syncing;
using Portico.TestSupport.Nginx;

namespace Portico.E2E.Tests;

/// <summary>
/// `portico run` in cluster mode, in process, built by the same <see cref="PorticoHost"/> the command uses, reading a
/// kubeconfig that points at the test API server. Ports and shared directory are the test's.
/// </summary>
internal sealed class OperatorUnderTest : IAsyncDisposable
{
    private OperatorUnderTest(WebApplication app, RunRequest request)
    {
        App = app;
        Request = request;
    }

    public WebApplication App { get; }

    public RunRequest Request { get; }

    public Observability.PorticoMetrics Metrics => (Observability.PorticoMetrics)App.Services.GetService(typeof(Observability.PorticoMetrics))!;

    public bool IsLeader => Metrics.Leader.Value == 1;

    public Readiness Readiness => (Readiness)App.Services.GetService(typeof(Readiness))!;

    public static async Task<OperatorUnderTest> StartAsync(OperatorPorts ports, string shared, string kubeconfig, Action<PorticoOptions>? configure = null, KindRegistry? kinds = null)
    {
        var options = new PorticoOptions();
        options.Listen.Http = $"127.0.0.1:{ports.Http}";
        options.Listen.Https = $"127.0.0.1:{ports.Https}";
        options.Listen.Status = $"127.0.0.1:{ports.Status}";
        options.Backends.AllowLoopbackEndpoints = true;
        options.Clients.AccessLog = false;
        options.Workers.Processes = 1;
        options.Workers.Connections = 256;
        options.Run.SharedDirectory = shared;
        options.Run.HealthListen = $"127.0.0.1:{ports.Health}";
        options.Run.MinReloadInterval = "200ms";
        options.Run.NginxBinary = NginxProcess.Binary;
        configure?.Invoke(options);
        var request = new RunRequest(OptionsResolver.Resolve(options), OptionsResolver.ResolveRun(options), null, kubeconfig, DemoBackends: false)
        {
            Kinds = kinds ?? KindRegistry.Default,
        };
        var app = PorticoHost.Build(request, logging: l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return new OperatorUnderTest(app, request);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }
}

/// <summary>The ports one operator and its nginx use.</summary>
internal sealed record OperatorPorts(int Http, int Https, int Status, int Health)
{
    public static OperatorPorts Take()
    {
        int[] ports = FreePorts.Take(4);
        return new OperatorPorts(ports[0], ports[1], ports[2], ports[3]);
    }
}
