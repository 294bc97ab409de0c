using System.Net;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Core.Values;

namespace Portico.Options;

/// <summary>Parses and validates <see cref="PorticoOptions"/> into <see cref="ResolvedOptions"/>; every problem is reported, each by key.</summary>
public static class OptionsResolver
{
    public static ResolvedOptions Resolve(PorticoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();

        T Parse<T>(string key, string text, Func<string, T> parse, T fallback)
        {
            try
            {
                return parse(text);
            }
            catch (FormatException e)
            {
                problems.Add($"{key}: {e.Message}");
                return fallback;
            }
        }

        var proxy = ProxyKind.Find(options.Proxy);
        if (proxy is null)
        {
            problems.Add($"proxy: \"{options.Proxy}\" is not one of {string.Join(", ", ProxyKind.All)}");
        }

        if (!DnsGrammar.IsSubdomain(options.IngressClass))
        {
            problems.Add($"ingressClass: \"{options.IngressClass}\" is not a valid IngressClass name");
        }

        NamespacedName? defaultCertificate = null;
        if (options.Tls.DefaultCertificate.Length > 0)
        {
            string[] parts = options.Tls.DefaultCertificate.Split('/');
            if (parts.Length == 2 && DnsGrammar.IsLabel(parts[0]) && DnsGrammar.IsSubdomain(parts[1]))
            {
                defaultCertificate = new NamespacedName(parts[0], parts[1]);
            }
            else
            {
                problems.Add($"tls:defaultCertificate: \"{options.Tls.DefaultCertificate}\" is not NAMESPACE/NAME");
            }
        }

        IPAddress? resolver = null;
        if (options.Backends.DnsResolver.Length > 0 && !IPAddress.TryParse(options.Backends.DnsResolver, out resolver))
        {
            problems.Add($"backends:dnsResolver: \"{options.Backends.DnsResolver}\" is not an IP address");
        }

        if (options.Backends.EnableExternalName && options.Backends.DnsResolver.Length == 0)
        {
            problems.Add("backends:enableExternalName needs backends:dnsResolver (the proxy resolves external names at request time)");
        }

        if (options.Templates.Length > 0 && !Directory.Exists(options.Templates))
        {
            problems.Add($"templates: directory \"{options.Templates}\" does not exist");
        }

        var fallbackAddress = ListenAddress.Parse("127.0.0.1:1");
        var settings = new ProxySettings
        {
            ListenHttp = Parse("listen:http", options.Listen.Http, ListenAddress.Parse, fallbackAddress),
            ListenHttps = Parse("listen:https", options.Listen.Https, ListenAddress.Parse, fallbackAddress),
            StatusListen = Parse("listen:status", options.Listen.Status, ListenAddress.Parse, fallbackAddress),
            TrustForwardedHeaders = options.Clients.TrustForwardedHeaders,
            ProxyConnectTimeout = Parse("backends:connectTimeout", options.Backends.ConnectTimeout, t => DurationValue.Parse(t, "duration"), TimeSpan.FromSeconds(1)),
            ProxyReadTimeout = Parse("backends:readTimeout", options.Backends.ReadTimeout, t => DurationValue.Parse(t, "duration"), TimeSpan.FromSeconds(1)),
            ProxySendTimeout = Parse("backends:sendTimeout", options.Backends.SendTimeout, t => DurationValue.Parse(t, "duration"), TimeSpan.FromSeconds(1)),
            ClientKeepaliveTimeout = Parse("clients:keepaliveTimeout", options.Clients.KeepaliveTimeout, t => DurationValue.Parse(t, "duration"), TimeSpan.FromSeconds(1)),
            ClientMaxBodyBytes = Parse("clients:maxBodySize", options.Clients.MaxBodySize, t => ByteSizeValue.Parse(t, "size"), 0L),
            UpstreamKeepaliveConnections = options.Backends.UpstreamKeepaliveConnections,
            WorkerProcesses = options.Workers.Processes,
            WorkerConnections = options.Workers.Connections,
            AccessLog = options.Clients.AccessLog,
            DnsResolver = resolver,
            NginxLuaEndpoints = options.Nginx.LuaEndpoints,
            NginxModulesDirectory = options.Nginx.ModulesDirectory,
        };
        if (problems.Count == 0)
        {
            problems.AddRange(settings.Validate());
        }

        if (options.Tls.HttpsRedirectPort is < 1 or > 65535)
        {
            problems.Add($"HTTPS redirect port {options.Tls.HttpsRedirectPort} is not a port number");
        }

        if (options.Limits.MaxRulesPerIngress < 1 || options.Limits.MaxPathsPerRule < 1)
        {
            problems.Add("limits: maxRulesPerIngress and maxPathsPerRule must be at least 1");
        }

        var (status, leaderElection) = StatusOptionsResolver.Resolve(options, problems);
        if (problems.Count > 0)
        {
            throw new OptionsException("invalid settings:\n  " + string.Join("\n  ", problems));
        }

        var build = new BuildOptions
        {
            IngressClassName = options.IngressClass,
            ControllerName = options.ControllerName,
            AllowLoopbackEndpoints = options.Backends.AllowLoopbackEndpoints,
            EnableExternalNameServices = options.Backends.EnableExternalName,
            DefaultCertificate = defaultCertificate,
            RedirectHttpToHttps = options.Tls.RedirectHttpToHttps,
            HttpsRedirectPort = options.Tls.HttpsRedirectPort,
            Limits = new BuildLimits { MaxRulesPerIngress = options.Limits.MaxRulesPerIngress, MaxPathsPerRule = options.Limits.MaxPathsPerRule },
        };
        return new ResolvedOptions(proxy!, options.Templates.Length > 0 ? options.Templates : null, build, settings)
        {
            Status = status,
            LeaderElection = leaderElection,
        };
    }

    /// <summary>The `run` section, with "auto" log format decided by whether standard output is a terminal now.</summary>
    public static RunSettings ResolveRun(PorticoOptions options) => ResolveRun(options, outputIsTerminal: !Console.IsOutputRedirected);

    /// <summary>
    /// The `run` section: durations parsed, addresses checked, the reload command split into argv, the log format
    /// chosen ("auto": plain when <paramref name="outputIsTerminal"/>, JSON otherwise).
    /// </summary>
    public static RunSettings ResolveRun(PorticoOptions options, bool outputIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(options);
        var run = options.Run;
        var problems = new List<string>();

        TimeSpan Duration(string key, string text)
        {
            try
            {
                var value = DurationValue.Parse(text, "duration");
                if (value <= TimeSpan.Zero)
                {
                    problems.Add($"run:{key}: must be more than 0");
                }

                return value;
            }
            catch (FormatException e)
            {
                problems.Add($"run:{key}: {e.Message}");
                return TimeSpan.FromSeconds(1);
            }
        }

        ListenAddress? health = null;
        try
        {
            health = ListenAddress.Parse(run.HealthListen);
        }
        catch (FormatException e)
        {
            problems.Add($"run:healthListen: {e.Message}");
        }

        if (run.Namespace.Length > 0 && !DnsGrammar.IsLabel(run.Namespace))
        {
            problems.Add($"run:namespace: \"{run.Namespace}\" is not a namespace name");
        }

        if (run.NginxBinary.Length > 0 && !File.Exists(run.NginxBinary))
        {
            problems.Add($"run:nginxBinary: \"{run.NginxBinary}\" does not exist");
        }

        if (run.EnvoyBinary.Length > 0 && !File.Exists(run.EnvoyBinary))
        {
            problems.Add($"run:envoyBinary: \"{run.EnvoyBinary}\" does not exist");
        }

        if (run.SharedDirectory.Length == 0)
        {
            problems.Add("run:sharedDirectory: must not be empty");
        }

        var applier = new Core.Applying.ApplierOptions
        {
            ConfirmTimeout = Duration("confirmTimeout", run.ConfirmTimeout),
            MinReloadInterval = Duration("minReloadInterval", run.MinReloadInterval),
        };
        var sync = new Syncing.SyncOptions
        {
            Holdoff = Duration("holdoff", run.Holdoff),
            MaxHoldoff = Duration("maxHoldoff", run.MaxHoldoff),
            EndpointHoldoff = Duration("endpointHoldoff", run.EndpointHoldoff),
        };
        if (sync.MaxHoldoff < sync.Holdoff)
        {
            problems.Add("run:maxHoldoff: must not be less than run:holdoff");
        }

        if (sync.MaxHoldoff < sync.EndpointHoldoff)
        {
            problems.Add("run:maxHoldoff: must not be less than run:endpointHoldoff");
        }

        ConsoleLogFormat logFormat = ConsoleLogFormat.Json;
        switch (run.LogFormat)
        {
            case "auto":
                logFormat = outputIsTerminal ? ConsoleLogFormat.Plain : ConsoleLogFormat.Json;
                break;
            case "json":
                break;
            case "plain":
                logFormat = ConsoleLogFormat.Plain;
                break;
            default:
                problems.Add($"run:logFormat: \"{run.LogFormat}\" is not one of auto, json, plain");
                break;
        }

        if (problems.Count > 0)
        {
            throw new OptionsException("invalid settings:\n  " + string.Join("\n  ", problems));
        }

        return new RunSettings
        {
            LogFormat = logFormat,
            Namespace = run.Namespace.Length > 0 ? run.Namespace : null,
            SharedDirectory = Path.GetFullPath(run.SharedDirectory),
            Binaries = new Dictionary<ProxyKind, string> { [ProxyKind.Nginx] = run.NginxBinary, [ProxyKind.Envoy] = run.EnvoyBinary }
                .Where(binary => binary.Value.Length > 0)
                .ToDictionary(),
            ReloadCommand = run.ReloadCommand.Length > 0 ? run.ReloadCommand.Split(' ', StringSplitOptions.RemoveEmptyEntries) : null,
            Applier = applier,
            Sync = sync,
            HealthListen = health!,
        };
    }
}
