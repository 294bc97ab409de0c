using System.CommandLine;
using Portico.Options;

namespace Portico.Cli;

/// <summary>
/// The flags every verb that reads manifests shares. Each maps onto a config key, so a flag, an environment variable
/// and the config file are one setting with three sources.
/// </summary>
internal static class InputOptions
{
    public static readonly Option<string[]> Manifests = new("--manifests", "-m")
    {
        Description = "Manifest file or directory (multi-document YAML, JSON, kind: List). Repeatable.",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    public static readonly Option<string> Config = new("--config") { Description = "YAML settings file (see config/portico.yaml)." };

    public static readonly Option<string> Proxy = new("--proxy") { Description = "Proxy to render for: nginx (default) or envoy." };

    public static readonly Option<string> ListenHttp = new("--listen-http") { Description = "ADDR:PORT for plain HTTP (default 0.0.0.0:8080)." };

    public static readonly Option<string> ListenHttps = new("--listen-https") { Description = "ADDR:PORT for HTTPS (default 0.0.0.0:8443)." };

    public static readonly Option<string> StatusListen = new("--status-listen") { Description = "Loopback ADDR:PORT of the proxy's status endpoint (default 127.0.0.1:10246)." };

    public static readonly Option<string> IngressClass = new("--ingress-class") { Description = "IngressClass name to serve (default portico)." };

    public static readonly Option<bool> AllowLoopbackEndpoints = new("--allow-loopback-endpoints") { Description = "Accept endpoints on loopback, link-local or unspecified addresses (local development only)." };

    public static readonly Option<bool> EnableExternalName = new("--enable-external-name") { Description = "Serve ExternalName Services (needs --dns-resolver)." };

    public static readonly Option<string> DnsResolver = new("--dns-resolver") { Description = "DNS server IP the proxy uses for ExternalName Services." };

    public static readonly Option<string> DefaultCertificate = new("--default-certificate") { Description = "NAMESPACE/NAME of the kubernetes.io/tls Secret served when no host matches." };

    public static readonly Option<bool> RedirectHttps = new("--redirect-http-to-https") { Description = "Redirect plain HTTP to HTTPS (308) on hosts that have TLS." };

    public static readonly Option<string> Templates = new("--templates") { Description = "Directory whose PROXY/ subfolder overrides built-in templates, file by file." };

    public static readonly Option<bool> Strict = new("--strict") { Description = "Exit 1 when there is any diagnostic, warnings included." };

    /// <summary>The settings flags and the config keys they set (docs/configuration.md is checked against this).</summary>
    internal static readonly (Option Option, string Key)[] Mapped =
    [
        (Proxy, "proxy"),
        (ListenHttp, "listen:http"),
        (ListenHttps, "listen:https"),
        (StatusListen, "listen:status"),
        (IngressClass, "ingressClass"),
        (AllowLoopbackEndpoints, "backends:allowLoopbackEndpoints"),
        (EnableExternalName, "backends:enableExternalName"),
        (DnsResolver, "backends:dnsResolver"),
        (DefaultCertificate, "tls:defaultCertificate"),
        (RedirectHttps, "tls:redirectHttpToHttps"),
        (Templates, "templates"),
    ];

    public static void AddTo(Command command)
    {
        command.Add(Manifests);
        AddSettingsTo(command);
        command.Add(Strict);
    }

    /// <summary>The settings flags alone (`run` has its own, optional, --manifests).</summary>
    public static void AddSettingsTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Add(Config);
        foreach (var (option, _) in Mapped)
        {
            command.Add(option);
        }
    }

    /// <summary>Reads config file, environment and the flags actually given, then validates.</summary>
    public static ResolvedOptions Resolve(ParseResult parseResult) => OptionsResolver.Resolve(Load(parseResult, []));

    /// <summary>Config file, environment, then the flags actually given (<paramref name="extra"/> maps more flags to keys).</summary>
    public static PorticoOptions Load(ParseResult parseResult, IEnumerable<(Option Option, string Key)> extra)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (option, key) in Mapped.Concat(extra))
        {
            var result = parseResult.GetResult(option);
            if (result is not null && !result.Implicit)
            {
                overrides[key] = option switch
                {
                    Option<bool> flag => parseResult.GetValue(flag) ? "true" : "false",
                    Option<string> text => parseResult.GetValue(text),
                    _ => null,
                };
            }
        }

        return OptionsLoader.Load(parseResult.GetValue(Config), overrides);
    }
}
