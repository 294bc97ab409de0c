using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portico.Core.Applying;
using Portico.Core.Kubernetes;
using Portico.Local;
using Portico.Observability;
using Portico.Status;
using Portico.Syncing;
using Portico.Watching;
using Prometheus;
using k8s;

namespace Portico.Hosting;

/// <summary>
/// Composes `portico run`: the health server (/healthz, /readyz, /metrics on Kestrel), the operator runtime with
/// its sources (cluster watchers or, in local mode, the manifest directory) and the applier for the proxy.
/// </summary>
public static class PorticoHost
{
    public static WebApplication Build(RunRequest request, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        time ??= TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            logging(builder.Logging);
        }
        else
        {
            AddConsoleLogs(builder.Logging, request.Run.LogFormat);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(request.Run.HealthListen.Address, request.Run.HealthListen.Port));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

        var registry = Metrics.NewCustomRegistry();
        ProcessMetrics.Register(registry); // process_* and dotnet_* (memory, GCs, CPU), read cheaply at each scrape.
        var metrics = new PorticoMetrics(registry);
        var readiness = new Readiness();
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(readiness);
        builder.Services.AddSingleton(request);
        builder.Services.AddSingleton(sp => CreateRuntime(sp, request, time, metrics, readiness));
        builder.Services.AddSingleton<OperatorService>();
        builder.Services.AddSingleton(_ => new IdleMemoryTrim(time));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperatorService>());
        builder.Services.AddSingleton<IEnumerable<Func<CancellationToken, Task>>>(sp => Companions(sp, request, time));
        AddModeServices(builder.Services, request);

        var app = builder.Build();
        app.MapGet("/healthz", (OperatorService service) => service.Failure is null ? Results.Text("ok\n") : Results.Text($"failed: {service.Failure.Message}\n", statusCode: 500));
        app.MapGet("/readyz", () => readiness.IsReady ? Results.Text($"ready {readiness.AppliedHash}\n") : Results.Text("no configuration applied yet\n", statusCode: 503));
        app.MapMetrics("/metrics", registry);
        return app;
    }

    /// <summary>
    /// Log lines on standard output: JSON objects for a log collector, or for a person at a terminal one plain line
    /// each ("2026-01-02T03:04:05.678Z info: Category[event] message", coloured on a terminal); both in UTC.
    /// </summary>
    private static void AddConsoleLogs(ILoggingBuilder logging, Options.ConsoleLogFormat format)
    {
        if (format == Options.ConsoleLogFormat.Plain)
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            });
        }
        else
        {
            logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }
    }

    private static OperatorRuntime CreateRuntime(IServiceProvider services, RunRequest request, TimeProvider time, PorticoMetrics metrics, Readiness readiness)
    {
        var logs = services.GetRequiredService<ILoggerFactory>();
        var options = request.Options;
        var renderer = options.Proxy.CreateRenderer(options.TemplatesDirectory);
        var listeners = new List<IModelListener> { services.GetRequiredService<IdleMemoryTrim>() };
        if (request.DemoBackends)
        {
            listeners.Add(services.GetRequiredService<DemoBackends>());
        }

        if (!request.IsLocal)
        {
            listeners.AddRange(services.GetRequiredService<StatusServices>().Listeners);
        }

        Func<System.Threading.Channels.ChannelWriter<Core.Kubernetes.StoreEvent>, IReadOnlyList<IStoreSource>> sources = request.IsLocal
            ? output => [new ManifestDirectorySource(request.Manifests!, output, logs.CreateLogger<ManifestDirectorySource>(), request.Kinds)]
            : output => ResourceApis.CreateWatchers(
                services.GetRequiredService<IKubernetes>(),
                new WatcherContext(output, new WatchOptions { Namespace = request.Run.Namespace }, time, logs, metrics),
                request.Kinds);
        return new OperatorRuntime(sources, options.Build, options.ProxySettings, renderer, CreateApplier(services, request, time), listeners, request.Run.Sync, time, logs, metrics, readiness, request.Kinds)
        {
            SecretReader = request.IsLocal ? null : new ApiSecretReader(services.GetRequiredService<IKubernetes>()),
        };
    }

    /// <summary>
    /// The applier, from the proxy's parts: its checks before each swap (with its binary where one is at hand: given,
    /// or in local mode the one it runs), its reload trigger (local mode: the process it runs), its probe and its live
    /// data transition.
    /// </summary>
    private static SwappingConfigApplier CreateApplier(IServiceProvider services, RunRequest request, TimeProvider time)
    {
        var run = request.Run;
        var proxy = request.Options.Proxy;
        Directory.CreateDirectory(run.SharedDirectory);
        var directory = new VersionedConfigDirectory(run.SharedDirectory);
        string? checker = run.Binaries.GetValueOrDefault(proxy) ?? (request.IsLocal ? proxy.FindBinary() : null);
        var validator = proxy.CreateValidator(run.SharedDirectory, checker, TimeSpan.FromSeconds(60));
        var trigger = request.IsLocal ? services.GetRequiredService<LocalProxyProcess>() : proxy.CreateReloadTrigger(run.SharedDirectory, run.ReloadCommand);
        var probe = proxy.CreateProbe(request.Options.ProxySettings, directory);
        return new SwappingConfigApplier(directory, validator, trigger, probe, run.Applier, time, proxy.LiveTransition);
    }

    private static List<Func<CancellationToken, Task>> Companions(IServiceProvider services, RunRequest request, TimeProvider time)
    {
        var companions = new List<Func<CancellationToken, Task>>();
        if (request.IsLocal)
        {
            var proxy = services.GetRequiredService<LocalProxyProcess>();
            companions.Add(ct => proxy.SuperviseAsync(RestartBackoff.CreateDefault(), ct));
        }
        else
        {
            // Leader election, Ingress status and Events; ends (releasing the Lease) when the host stops.
            var status = services.GetRequiredService<StatusServices>();
            companions.Add(status.RunAsync);
        }

        return companions;
    }

    /// <summary>Registers what local or cluster mode needs beyond the common parts.</summary>
    private static void AddModeServices(IServiceCollection services, RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.IsLocal)
        {
            var proxy = request.Options.Proxy;
            string binary = request.Run.Binaries.GetValueOrDefault(proxy) ?? proxy.FindBinary() ?? throw new Options.OptionsException(proxy.MissingBinaryMessage);
            services.AddSingleton(sp => new LocalProxyProcess(proxy, binary, request.Run.SharedDirectory, sp.GetRequiredService<ILogger<LocalProxyProcess>>(), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<DemoBackends>();
        }
        else
        {
            // Before the client reads anything: its lists and watches then keep repeated strings once (issue 13).
            KubernetesJsonOptions.Share();
            var config = request.Kubeconfig is { } file
                ? KubeconfigFile.Load(file)
                : KubernetesClientConfiguration.InClusterConfig();
            services.AddSingleton<IKubernetes>(new Kubernetes(config));
            services.AddSingleton(sp =>
            {
                var options = request.Run.Namespace is { } ns ? request.Options with { Status = request.Options.Status with { Namespace = ns } } : request.Options;
                return StatusServices.Create(sp.GetRequiredService<IKubernetes>(), options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<PorticoMetrics>());
            });
        }
    }
}
