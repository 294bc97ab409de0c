using System.Net;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Offline;
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

        if (!ProxyRenderers.Names.Contains(options.Proxy))
        {
            problems.Add($"proxy: \"{options.Proxy}\" is not one of {string.Join(", ", ProxyRenderers.Names)}");
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
            RedirectHttpToHttps = options.Tls.RedirectHttpToHttps,
            HttpsRedirectPort = options.Tls.HttpsRedirectPort,
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
        };
        if (problems.Count == 0)
        {
            problems.AddRange(settings.Validate());
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
            Limits = new BuildLimits { MaxRulesPerIngress = options.Limits.MaxRulesPerIngress, MaxPathsPerRule = options.Limits.MaxPathsPerRule },
        };
        return new ResolvedOptions(options.Proxy, options.Templates.Length > 0 ? options.Templates : null, build, settings)
        {
            Status = status,
            LeaderElection = leaderElection,
        };
    }
}
