using System.Net;
using System.Text.RegularExpressions;

namespace Portico.Core.Rendering;

/// <summary>
/// Global proxy settings (from config/, the environment and flags): where to listen and how to proxy. Everything
/// here is typed; renderers print it through the templates' escaping helpers all the same.
/// </summary>
public sealed partial record ProxySettings
{
    public ListenAddress ListenHttp { get; init; } = ListenAddress.Parse("0.0.0.0:8080");

    public ListenAddress ListenHttps { get; init; } = ListenAddress.Parse("0.0.0.0:8443");

    /// <summary>Loopback only: serves the rendered config's hash (reload confirmation) and proxy statistics.</summary>
    public ListenAddress StatusListen { get; init; } = ListenAddress.Parse("127.0.0.1:10246");

    /// <summary>Pass on X-Forwarded-* from clients (only behind a trusted load balancer); otherwise they are replaced.</summary>
    public bool TrustForwardedHeaders { get; init; }

    public TimeSpan ProxyConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ProxyReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ProxySendTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ClientKeepaliveTimeout { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>Largest request body, in bytes (0: no limit).</summary>
    public long ClientMaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Idle keep-alive connections to backends each proxy worker keeps, all upstreams together (nginx; Envoy pools per cluster by itself).</summary>
    public int UpstreamKeepaliveConnections { get; init; } = 320;

    /// <summary>0 means one worker per core.</summary>
    public int WorkerProcesses { get; init; }

    public int WorkerConnections { get; init; } = 4096;

    /// <summary>Write access logs (JSON lines) to standard output.</summary>
    public bool AccessLog { get; init; } = true;

    /// <summary>DNS server for ExternalName Services (required when they are enabled).</summary>
    public IPAddress? DnsResolver { get; init; }

    /// <summary>
    /// nginx only: endpoints reach nginx through the Lua balancer and a live file, without a reload (ADR 0007). Off:
    /// they are rendered into nginx.conf as upstream blocks (stock nginx, no Lua; every endpoint change reloads).
    /// </summary>
    public bool NginxLuaEndpoints { get; init; } = true;

    /// <summary>
    /// nginx only: the directory holding the dynamic modules nginx.conf loads for reload-free endpoint updates
    /// (<c>ndk_http_module.so</c>, <c>ngx_http_lua_module.so</c>: Debian's libnginx-mod-http-lua); empty when the
    /// nginx binary has Lua built in (OpenResty).
    /// </summary>
    public string NginxModulesDirectory { get; init; } = DefaultNginxModulesDirectory;

    public const string DefaultNginxModulesDirectory = "/usr/lib/nginx/modules";

    /// <summary>Why these settings cannot work, or empty.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!StatusListen.IsLoopback)
        {
            problems.Add($"status listen address {StatusListen} must be on loopback");
        }

        var ports = new[] { ListenHttp, ListenHttps, StatusListen };
        if (ports.Select(p => p.Port).Distinct().Count() != ports.Length)
        {
            problems.Add("HTTP, HTTPS and status listeners need three different ports");
        }

        foreach (var (name, value) in new[] { ("proxy connect timeout", ProxyConnectTimeout), ("proxy read timeout", ProxyReadTimeout), ("proxy send timeout", ProxySendTimeout), ("keep-alive timeout", ClientKeepaliveTimeout) })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromHours(24))
            {
                problems.Add($"{name} {value} must be between 1 ms and 24 h");
            }
        }

        if (ClientMaxBodyBytes < 0 || UpstreamKeepaliveConnections < 0 || WorkerProcesses < 0 || WorkerConnections < 16)
        {
            problems.Add("body size, keep-alive connections and worker processes must not be negative; worker connections at least 16");
        }

        if (NginxModulesDirectory.Length > 0 && !NginxModulesPath().IsMatch(NginxModulesDirectory))
        {
            problems.Add($"nginx modules directory \"{NginxModulesDirectory}\" must be an absolute path of letters, digits and \"._-/\" without \"..\"");
        }

        return problems;
    }

    [GeneratedRegex(@"^(/(?!\.\.?(/|\z))[A-Za-z0-9._-]+)+/?\z", RegexOptions.CultureInvariant)]
    private static partial Regex NginxModulesPath();
}
