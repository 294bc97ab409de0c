using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Envoy.Config.Cluster.V3;
using Portico.Core.Proxies;
using Portico.Core.Rendering.Envoy;
using Portico.Envoy.Schema;

namespace Portico.Envoy.Tests;

/// <summary>
/// Portico.Tests' golden cases (every example and semantic case the nginx goldens cover) as Envoy renders them: each
/// passes the strict schema check; Envoy's clusters hold exactly nginx's upstream endpoints; a TLS client gets the
/// certificate from Envoy that nginx serves it (both rendered from the same input); and the semantics of each case
/// through Envoy's matching (<see cref="EnvoyRoutingModel"/>).
/// </summary>
public sealed partial class EnvoySharedCaseTests
{
    public static IEnumerable<TestCaseData> Cases() => EnvoyCases.SharedNames.Select(n => new TestCaseData(n).SetArgDisplayNames(n));

    [TestCaseSource(nameof(Cases))]
    public void The_render_passes_the_strict_schema_check(string name)
    {
        Assert.That(new EnvoySchemaValidator().Validate(EnvoyCases.RenderShared(name).Config), Is.Empty);
    }

    [TestCaseSource(nameof(Cases))]
    public void Clusters_hold_exactly_the_endpoints_of_nginx_upstreams(string name)
    {
        // nginx's upstreams are the upstream lines of its live endpoints file ("NAME ADDR:PORT ..."; route lines start
        // with '@', fallback host lines with '=' or '~'),
        // or, without Lua endpoints, its upstream blocks.
        var upstreams = NginxEndpoints(name) is { } endpoints
            ? endpoints.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Where(line => line[0] is not ('@' or '=' or '~' or '&' or '+'))
                .Select(line => line.Split(' '))
                .Where(parts => parts.Length > 1)
                .ToDictionary(parts => parts[0], parts => string.Join(" ", parts.Skip(1).Order(StringComparer.Ordinal)))
            : Upstream().Matches(NginxConf(name))
                .GroupBy(
                    // A block NAME__lbHASH is a variant of NAME carrying an endpoint choice: the same servers.
                    m => System.Text.RegularExpressions.Regex.Replace(m.Groups["name"].Value, "__lb[0-9a-f]{8}$", string.Empty),
                    m => string.Join(" ", Server().Matches(m.Groups["body"].Value).Select(s => s.Groups["address"].Value).Order(StringComparer.Ordinal)))
                .ToDictionary(g => g.Key, g => g.Distinct().Single());
        // A cluster UPSTREAM/HASH is a variant of UPSTREAM's cluster (other options a route policy asked for): same endpoints.
        var byUpstream = new EnvoyParsed(EnvoyCases.RenderShared(name).Config).Clusters
            .Where(c => c.Type == Cluster.Types.DiscoveryType.Static && c.LoadAssignment.Endpoints.SelectMany(e => e.LbEndpoints).Any())
            .GroupBy(c => c.Name.Split('/')[0], c => string.Join(" ", c.LoadAssignment.Endpoints.SelectMany(e => e.LbEndpoints).Select(e => HostPort(e.Endpoint.Address.SocketAddress)).Order(StringComparer.Ordinal)))
            .ToList();
        Assert.That(byUpstream.Where(g => g.Distinct().Count() > 1).Select(g => g.Key), Is.Empty, "variants hold their upstream's endpoints");
        var clusters = byUpstream.ToDictionary(g => g.Key, g => g.First());
        Assert.That(clusters, Is.EqualTo(upstreams));
    }

    [TestCaseSource(nameof(Cases))]
    public void Sni_gets_the_certificate_nginx_serves(string name)
    {
        var envoy = EnvoyCases.RenderShared(name).Config;
        var parsed = new EnvoyParsed(envoy);
        var https = parsed.Listeners.SingleOrDefault(l => l.Name == "https");
        // The certificates nginx loads itself (each server's ssl_certificate: the default server's, or every host's
        // without Lua endpoints), and those the Lua presents by server name (portico-certificates.txt, ADR 0017).
        var certificates = ServerBlock().Matches(NginxConf(name)).Select(m => m.Value).Where(b => b.Contains("ssl_certificate \"", StringComparison.Ordinal))
            .SelectMany(b => ServerName().Matches(b).Select(n => (Sni: SniFor(n.Groups["name"].Value), Path: SslCertificate().Match(b).Groups["path"].Value)))
            .Concat(NginxCertificates(name).Select(c => (Sni: c.Host.StartsWith("*.", StringComparison.Ordinal) ? "a." + c.Host[2..] : c.Host, Path: $"certs/{c.Id}.crt")))
            .ToList();
        if (certificates.Count == 0)
        {
            Assert.That(https, Is.Null, "no certificate in nginx, no HTTPS listener in Envoy");
            return;
        }

        Assert.That(https, Is.Not.Null);
        foreach (var (sni, certificate) in certificates)
        {
            var chain = EnvoyRoutingModel.Chain(https!, sni);
            Assert.That(chain, Is.Not.Null, $"no filter chain for SNI {sni}");
            string file = EnvoyParsed.Tls(chain!).CommonTlsContext.TlsCertificates.Single().CertificateChain.Filename;
            Assert.That(EnvoyRenderer.RenderedPath(file), Is.EqualTo(certificate), $"SNI {sni}");
        }
    }

    /// <summary>The "HOST ID" lines of nginx's portico-certificates.txt (none without Lua endpoints or TLS).</summary>
    private static IEnumerable<(string Host, string Id)> NginxCertificates(string name) =>
        EnvoyCases.RenderShared(name, "nginx").Config[Portico.Core.Rendering.Nginx.NginxRenderer.CertificatesFile] is { } file
            ? Encoding.ASCII.GetString(file.Content).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Select(p => (p[0], p[1]))
            : [];

    [TestCase("/cart", "cluster a_app_80", Description = "the oldest Ingress wins the conflict")]
    [TestCase("/cart/x", "cluster a_app_80")]
    [TestCase("/a-only", "cluster a_app_80", Description = "the later definition of a/team-a is used")]
    [TestCase("/b-only", "cluster b_app_80", Description = "the loser's other paths are still served")]
    [TestCase("/other", "status 404")]
    public void Conflicting_ingresses_merge_and_the_oldest_wins(string path, string expected)
    {
        var parsed = new EnvoyParsed(EnvoyCases.RenderShared("conflicts").Config);
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpRoutes, "shared.test", path), Is.EqualTo(expected));
        Assert.That(CommonName(parsed, "shared.test"), Is.EqualTo("secure-a.test"), "TLS of the host is the oldest claim's (a/shared-tls)");
    }

    [TestCase("by-name.test", "cluster default_app_80")]
    [TestCase("by-annotation.test", "cluster default_app_80")]
    [TestCase("by-default.test", "cluster default_app_80")]
    [TestCase("foreign-annotation.test", "status 404", Description = "another controller's class is ignored entirely")]
    public void Only_ingresses_of_our_class_are_served(string host, string expected)
    {
        var config = EnvoyCases.RenderShared("ingress-class").Config;
        Assert.That(EnvoyRoutingModel.Route(new EnvoyParsed(config).HttpRoutes, host, "/"), Is.EqualTo(expected));
        Assert.That(string.Concat(config.Files.Select(f => Encoding.UTF8.GetString(f.Content))), Does.Not.Contain("foreign"));
    }

    [Test]
    public void Ipv6_listeners_and_endpoints()
    {
        var parsed = new EnvoyParsed(EnvoyCases.RenderShared("ipv6").Config);
        Assert.That(parsed.Listener("http").Address.SocketAddress.Address, Is.EqualTo("::"));
        var endpoints = parsed.Cluster("default_app_80").LoadAssignment.Endpoints.Single().LbEndpoints.Select(e => HostPort(e.Endpoint.Address.SocketAddress));
        Assert.That(endpoints, Is.EqualTo(new[] { "[fd00:10:244::1]:8080", "[fd00:10:244::2]:8080" }), "lowercased, sorted");
    }

    [Test]
    public void Global_settings_reach_listeners_clusters_routes_and_the_body_limit()
    {
        var parsed = new EnvoyParsed(EnvoyCases.RenderShared("settings").Config);
        Assert.That(parsed.Listener("http").Address.SocketAddress.PortValue, Is.EqualTo(80));
        Assert.That(parsed.Bootstrap.Admin.Address.SocketAddress.PortValue, Is.EqualTo(18080));
        Assert.That(parsed.Cluster("default_app_80").ConnectTimeout.ToTimeSpan(), Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(parsed.HttpRoutes.VirtualHosts.SelectMany(v => v.Routes).First(r => r.Route_ is not null).Route_.IdleTimeout.ToTimeSpan(), Is.EqualTo(TimeSpan.FromMinutes(2)));
        var hcm = EnvoyParsed.Hcm(parsed.Listener("http").FilterChains.Single());
        Assert.That(hcm.CommonHttpProtocolOptions.IdleTimeout.ToTimeSpan(), Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(hcm.XffNumTrustedHops, Is.EqualTo(1));
        Assert.That(hcm.AccessLog, Is.Empty);
        Assert.That(BufferLimit(hcm), Is.EqualTo(64 * 1024), "clients.maxBodySize 64k, as nginx's client_max_body_size");
    }

    [Test]
    public void The_body_limit_is_a_buffer_filter_before_the_router_that_websocket_upgrades_skip()
    {
        var hcm = EnvoyParsed.Hcm(new EnvoyParsed(EnvoyCases.RenderShared("examples").Config).Listener("http").FilterChains.Single());
        // Policy filters are in the chain disabled (routes turn them on); the global chain is what runs by default.
        Assert.That(hcm.HttpFilters.Where(f => !f.Disabled).Select(f => f.Name), Is.EqualTo(new[] { "envoy.filters.http.buffer", "envoy.filters.http.router" }));
        Assert.That(BufferLimit(hcm), Is.EqualTo(1024 * 1024), "nginx's default client_max_body_size 1m");
        Assert.That(hcm.UpgradeConfigs.Single().Filters.Where(f => !f.Disabled).Select(f => f.Name), Is.EqualTo(new[] { "envoy.filters.http.router" }));

        var limited = EnvoyCases.RenderShared("examples");
        var renderer = ProxyKind.Envoy.CreateRenderer();
        var config = Portico.Core.Offline.OfflinePipeline.Render(
            Portico.Core.Manifests.ManifestReader.Read([Portico.TestSupport.RepositoryPaths.Combine("manifests", "examples")]),
            new Portico.Core.Building.BuildOptions(),
            new Portico.Core.Rendering.ProxySettings { ClientMaxBodyBytes = 0 },
            renderer).Config;
        var noLimit = EnvoyParsed.Hcm(new EnvoyParsed(config).Listener("http").FilterChains.Single());
        Assert.That(noLimit.HttpFilters.Where(f => !f.Disabled).Select(f => f.Name), Is.EqualTo(new[] { "envoy.filters.http.router" }), "0 means no limit");
        Assert.That(limited.Config.Hash, Is.Not.EqualTo(config.Hash));
    }

    [TestCase("secure-a.test", "redirect https:8443")]
    [TestCase("plain.test", "cluster default_app_80")]
    public void Redirect_to_https_only_for_tls_hosts_on_the_configured_port(string host, string expected)
    {
        var parsed = new EnvoyParsed(EnvoyCases.RenderShared("redirect-https").Config);
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpRoutes, host, "/x"), Is.EqualTo(expected));
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpsRoutes, "secure-a.test", "/x"), Is.EqualTo("cluster default_app_80"));
    }

    [TestCase("secure-a.test", "secure-a.test")]
    [TestCase("secure-b.test", "secure-b.test")]
    [TestCase("x.secure-a.test", "secure-a.test", Description = "the wildcard host's TLS entry without hosts")]
    [TestCase("broken.test", "fallback.test", Description = "a Secret whose key does not match: the default certificate")]
    [TestCase("plain.test", "fallback.test")]
    [TestCase("unknown.test", "fallback.test")]
    public void Tls_by_sni_with_a_default_certificate(string sni, string commonName)
    {
        Assert.That(CommonName(new EnvoyParsed(EnvoyCases.RenderShared("tls-sni").Config), sni), Is.EqualTo(commonName));
    }

    private static string? NginxEndpoints(string name) =>
        EnvoyCases.RenderShared(name, "nginx").Config["portico-endpoints.txt"] is { } file ? Encoding.ASCII.GetString(file.Content) : null;

    private static string NginxConf(string name) => Encoding.UTF8.GetString(EnvoyCases.RenderShared(name, "nginx").Config["nginx.conf"]!.Content);

    private static string HostPort(global::Envoy.Config.Core.V3.SocketAddress address) =>
        address.Address.Contains(':', StringComparison.Ordinal) ? $"[{address.Address}]:{address.PortValue}" : $"{address.Address}:{address.PortValue}";

    private static uint? BufferLimit(global::Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager hcm) =>
        ((global::Envoy.Extensions.Filters.Http.Buffer.V3.Buffer)EnvoyTypes.Unpack(hcm.HttpFilters.Single(f => f.Name == "envoy.filters.http.buffer").TypedConfig)!).MaxRequestBytes;

    /// <summary>nginx's server_name as an SNI that selects it: the name itself, one label under a one-label regex, anything for "_".</summary>
    private static string SniFor(string serverName) => serverName switch
    {
        "_" => "unknown.invalid",
        _ when serverName.StartsWith("~^[^.]+\\.", StringComparison.Ordinal) => "a." + serverName[9..^1].Replace("\\.", ".", StringComparison.Ordinal),
        _ => serverName,
    };

    private static string CommonName(EnvoyParsed parsed, string sni)
    {
        var chain = EnvoyRoutingModel.Chain(parsed.Listener("https"), sni) ?? throw new AssertionException($"no chain for {sni}");
        string file = EnvoyParsed.Tls(chain).CommonTlsContext.TlsCertificates.Single().CertificateChain.Filename;
        using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(parsed.Config[EnvoyRenderer.RenderedPath(file)!]!.Content));
        return certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false);
    }

    [GeneratedRegex(@"upstream (?<name>[a-z0-9_.-]+) \{(?<body>[^}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Upstream();

    [GeneratedRegex(@"server (?<address>[^ ;]+);", RegexOptions.CultureInvariant)]
    private static partial Regex Server();

    [GeneratedRegex(@"(?ms)^    server \{.*?^    \}", RegexOptions.CultureInvariant)]
    private static partial Regex ServerBlock();

    [GeneratedRegex(@"ssl_certificate ""(?<path>[^""]+)"";", RegexOptions.CultureInvariant)]
    private static partial Regex SslCertificate();

    [GeneratedRegex(@"server_name (?:""(?<name>[^""]+)""|(?<name>_));", RegexOptions.CultureInvariant)]
    private static partial Regex ServerName();
}
