using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Portico.Hosting;
using Portico.Options;

namespace Portico.Cli;

/// <summary>
/// `portico run`: the operator. Against a cluster (in-cluster service account, or --kubeconfig), or in local mode
/// (--manifests) against a directory of manifests with an nginx (or, with --proxy envoy, an Envoy) Portico starts itself.
/// </summary>
internal static class RunCommand
{
    private static readonly Option<string[]> Manifests = new("--manifests", "-m")
    {
        Description = "Local mode: watch these manifest files or directories instead of a cluster, and run the proxy (nginx or Envoy) locally. Repeatable.",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string> Kubeconfig = new("--kubeconfig") { Description = "kubeconfig file (default: the in-cluster service account)." };

    private static readonly Option<string> Namespace = new("--namespace") { Description = "Watch only this namespace." };

    private static readonly Option<string> SharedDirectory = new("--shared-dir") { Description = "Directory shared with the proxy (default /etc/portico/shared; local mode: out/local)." };

    private static readonly Option<string> Nginx = new("--nginx") { Description = "nginx binary: `nginx -t` before each swap (local mode: the nginx to run)." };

    private static readonly Option<string> Envoy = new("--envoy") { Description = "envoy binary (--proxy envoy): `envoy --mode validate` before each swap (local mode: the Envoy to run)." };

    private static readonly Option<string> HealthListen = new("--health-listen") { Description = "ADDR:PORT for /healthz, /readyz, /metrics (default 0.0.0.0:10254; local mode: 127.0.0.1:10254)." };

    private static readonly Option<string> LogFormat = new("--log-format") { Description = "Log lines on stdout: json, plain, or auto (default: plain on a terminal, JSON otherwise)." };

    private static readonly Option<bool> DemoBackends = new("--demo-backends") { Description = "Local mode: answer on the loopback endpoints the manifests name, as tiny demo backends." };

    /// <summary>`run`'s own flags and the config keys they set (docs/configuration.md is checked against this).</summary>
    internal static readonly (Option Option, string Key)[] Mapped =
    [
        (Namespace, "run:namespace"),
        (SharedDirectory, "run:sharedDirectory"),
        (Nginx, "run:nginxBinary"),
        (Envoy, "run:envoyBinary"),
        (HealthListen, "run:healthListen"),
        (LogFormat, "run:logFormat"),
    ];

    public static Command Create()
    {
        var command = new Command("run", "Run the operator: watch, render, apply to the proxy safely, report status.");
        command.Add(Manifests);
        command.Add(Kubeconfig);
        foreach (var (option, _) in Mapped)
        {
            command.Add(option);
        }

        command.Add(DemoBackends);
        InputOptions.AddSettingsTo(command);
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        RunRequest request;
        try
        {
            request = Resolve(parseResult);
        }
        catch (OptionsException e)
        {
            await Console.Error.WriteLineAsync("portico: " + e.Message);
            return ExitCodes.Unusable;
        }

        Microsoft.AspNetCore.Builder.WebApplication app; // RunAsync disposes it.
        try
        {
            app = PorticoHost.Build(request);
        }
        catch (Exception e) when (e is OptionsException or k8s.Exceptions.KubeConfigException or IOException)
        {
            await Console.Error.WriteLineAsync("portico: " + e.Message);
            return ExitCodes.Unusable;
        }

        var service = (OperatorService)app.Services.GetService(typeof(OperatorService))!;
        await ((IHost)app).RunAsync(cancellationToken);
        return service.Failure is null ? ExitCodes.Ok : ExitCodes.Findings;
    }

    private static RunRequest Resolve(ParseResult parseResult)
    {
        string[] manifests = parseResult.GetValue(Manifests) ?? [];
        bool local = manifests.Length > 0;
        var options = InputOptions.Load(parseResult, Mapped);

        // Local mode keeps everything on this machine and in this checkout unless told otherwise (by a flag, the
        // config file or the environment).
        var defaults = new PorticoOptions();
        string LocalDefault(Option flag, string current, string clusterDefault, string localDefault) =>
            local && parseResult.GetResult(flag) is null && current == clusterDefault ? localDefault : current;
        options.Run.SharedDirectory = LocalDefault(SharedDirectory, options.Run.SharedDirectory, defaults.Run.SharedDirectory, Path.Combine("out", "local"));
        options.Run.HealthListen = LocalDefault(HealthListen, options.Run.HealthListen, defaults.Run.HealthListen, "127.0.0.1:10254");
        options.Listen.Http = LocalDefault(InputOptions.ListenHttp, options.Listen.Http, defaults.Listen.Http, "127.0.0.1:8080");
        options.Listen.Https = LocalDefault(InputOptions.ListenHttps, options.Listen.Https, defaults.Listen.Https, "127.0.0.1:8443");

        if (!local && parseResult.GetValue(DemoBackends))
        {
            throw new OptionsException("--demo-backends needs local mode (--manifests)");
        }

        return new RunRequest(OptionsResolver.Resolve(options), OptionsResolver.ResolveRun(options), local ? manifests : null, parseResult.GetValue(Kubeconfig), parseResult.GetValue(DemoBackends));
    }
}
