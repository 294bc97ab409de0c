using System.Security.Cryptography;
using System.Text;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Network.DnsResolver.Cares.V3;
using Portico.Core.Proxies;
using Portico.Core.Rendering.Envoy;
using Portico.Envoy.Schema;
using Portico.TestSupport;

namespace Portico.Envoy.Tests;

/// <summary>
/// The Ingress semantics (DESIGN §3) as Envoy sees the rendered config: request tables evaluated with Envoy's
/// documented matching (<see cref="EnvoyRoutingModel"/>) over the parsed protos, and direct assertions on them.
/// The expectations are what nginx serves for the same input.
/// </summary>
public sealed class EnvoySemanticsTests
{
    private static EnvoyParsed Case(string name) => new(EnvoyCases.Render(name).Config);

    [TestCase("/", "cluster default_root_80")]
    [TestCase("/api", "cluster default_exact_80", Description = "Exact beats Prefix on the same path")]
    [TestCase("/api?x=1", "cluster default_exact_80", Description = "the query string never takes part")]
    [TestCase("/api/", "cluster default_api_80")]
    [TestCase("/api/users", "cluster default_api_80")]
    [TestCase("/apix", "cluster default_root_80", Description = "element-wise: /api never matches /apix")]
    [TestCase("/api/v2", "cluster default_v2_80", Description = "longest prefix wins; the rule's trailing slash is ignored")]
    [TestCase("/api/v2/x", "cluster default_v2_80")]
    [TestCase("/api/v2x", "cluster default_api_80")]
    [TestCase("/login", "cluster default_exact_80")]
    [TestCase("/login/", "cluster default_root_80", Description = "Exact matches exactly")]
    [TestCase("/LOGIN", "cluster default_root_80", Description = "paths are case-sensitive")]
    [TestCase("/docs/a", "cluster default_api_80", Description = "ImplementationSpecific is Prefix")]
    public void Paths_follow_Ingress_precedence(string path, string expected)
    {
        Assert.That(EnvoyRoutingModel.Route(Case("paths").HttpRoutes, "paths.example", path), Is.EqualTo(expected));
    }

    [Test]
    public void Exact_routes_precede_prefix_routes_and_prefixes_are_path_separated()
    {
        var routes = Case("paths").HttpRoutes.VirtualHosts.Single(v => v.Name == "paths.example").Routes;
        var shown = routes.Select(r => r.Match.PathSpecifierCase + " " + r.Match.Path + r.Match.Prefix + r.Match.PathSeparatedPrefix).ToList();
        Assert.That(shown, Is.EqualTo(new[]
        {
            "Path /login", "Path /api", "PathSeparatedPrefix /api/v2", "PathSeparatedPrefix /docs", "PathSeparatedPrefix /api", "Prefix /",
        }));
    }

    [TestCase("a.apps.example", "/api/x", "cluster default_tenant_80")]
    [TestCase("A.Apps.Example:8080", "/api", "cluster default_tenant_80", Description = "case-insensitive, port ignored")]
    [TestCase("a.apps.example", "/shared", "cluster default_fallback_80", Description = "a matched host never falls through to the hostless rules")]
    [TestCase("a.apps.example", "/apix", "cluster default_fallback_80")]
    [TestCase("a.b.apps.example", "/api", "cluster default_fallback_80", Description = "two labels: not the wildcard's")]
    [TestCase("a.b.apps.example", "/shared", "cluster default_shared_80", Description = "two labels get the hostless rules")]
    [TestCase("a.b.apps.example:8443", "/shared", "cluster default_shared_80")]
    [TestCase("apps.example", "/api", "cluster default_fallback_80", Description = "the bare suffix is not the wildcard's")]
    [TestCase("x.deep.apps.example", "/anything", "cluster default_tenant_80")]
    [TestCase("deep.apps.example", "/api", "cluster default_tenant_80", Description = "one label under *.apps.example")]
    [TestCase("y.x.deep.apps.example", "/shared", "cluster default_shared_80")]
    public void Wildcard_hosts_match_exactly_one_label(string host, string path, string expected)
    {
        Assert.That(EnvoyRoutingModel.Route(Case("wildcard").HttpRoutes, host, path), Is.EqualTo(expected));
    }

    [Test]
    public void Wildcard_routes_carry_the_one_label_authority_matcher_and_the_fallthrough_does_not()
    {
        var host = Case("wildcard").HttpRoutes.VirtualHosts.Single(v => v.Name == "*.apps.example");
        Assert.That(host.Domains, Is.EqualTo(new[] { "*.apps.example" }));
        var own = host.Routes.Take(2).ToList();
        Assert.That(own.Select(r => r.Match.Headers.Single().Name), Is.All.EqualTo(":authority"));
        Assert.That(own.Select(r => r.Match.Headers.Single().StringMatch.SafeRegex.Regex), Is.All.EqualTo(@"(?i)^[^.]+\.apps\.example(:[0-9]+)?$"));
        Assert.That(host.Routes.Skip(2).Select(r => r.Match.Headers.Count), Is.All.Zero);
    }

    [TestCase("shop.example", "cluster default_shop_80")]
    [TestCase("SHOP.example:8080", "cluster default_shop_80")]
    [TestCase("a.shop.example", "cluster default_a_80", Description = "an exact host beats a wildcard covering it")]
    [TestCase("b.shop.example", "cluster default_tenant_80")]
    [TestCase("x.y.shop.example", "cluster default_any_80")]
    [TestCase("other.example", "cluster default_any_80")]
    [TestCase("10.1.2.3:8080", "cluster default_any_80")]
    public void Hosts_match_case_insensitively_and_ignore_the_port(string host, string expected)
    {
        var parsed = Case("hosts");
        Assert.That(parsed.HttpRoutes.IgnorePortInHostMatching, Is.True);
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpRoutes, host, "/"), Is.EqualTo(expected));
    }

    [TestCase("default-backend", "app.example", "/app/x", "cluster default_app_80")]
    [TestCase("default-backend", "app.example", "/other", "cluster default_fallback_80")]
    [TestCase("default-backend", "unknown.example", "/", "cluster default_fallback_80")]
    [TestCase("no-default-backend", "app.example", "/app", "cluster default_app_80")]
    [TestCase("no-default-backend", "app.example", "/app/x", "status 404")]
    [TestCase("no-default-backend", "unknown.example", "/", "status 404")]
    [TestCase("unavailable", "app.example", "/missing", "status 503")]
    [TestCase("unavailable", "app.example", "/not-ready/x", "status 503")]
    [TestCase("unavailable", "app.example", "/wrong-port", "status 503")]
    [TestCase("unavailable", "app.example", "/", "cluster default_ok_80")]
    [TestCase("named-ports", "named.example", "/", "cluster default_web_80")]
    [TestCase("named-ports", "named.example", "/admin", "status 503")]
    [TestCase("external-name", "external.example", "/", "cluster default_upstream_443")]
    public void Backends_default_backend_404_and_503_as_nginx(string name, string host, string path, string expected)
    {
        Assert.That(EnvoyRoutingModel.Route(Case(name).HttpRoutes, host, path), Is.EqualTo(expected));
    }

    [Test]
    public void Services_without_ready_endpoints_get_no_cluster_and_named_ports_resolve_to_the_slice_port()
    {
        var unavailable = Case("unavailable");
        Assert.That(unavailable.Clusters.Select(c => c.Name), Is.EqualTo(new[] { "default_ok_80" }));
        var named = Case("named-ports").Cluster("default_web_80");
        Assert.That(named.Type, Is.EqualTo(Cluster.Types.DiscoveryType.Static));
        var addresses = named.LoadAssignment.Endpoints.Single().LbEndpoints.Select(e => e.Endpoint.Address.SocketAddress).Select(a => $"{a.Address}:{a.PortValue}");
        Assert.That(addresses, Is.EqualTo(new[] { "10.0.6.1:8080", "10.0.6.2:8080" }));
    }

    [Test]
    public void ExternalName_is_a_logical_dns_cluster_through_the_configured_resolver()
    {
        var cluster = Case("external-name").Cluster("default_upstream_443");
        Assert.That(cluster.Type, Is.EqualTo(Cluster.Types.DiscoveryType.LogicalDns));
        var address = cluster.LoadAssignment.Endpoints.Single().LbEndpoints.Single().Endpoint.Address.SocketAddress;
        Assert.That($"{address.Address}:{address.PortValue}", Is.EqualTo("api.upstream.example:443"));
        var resolver = (CaresDnsResolverConfig)EnvoyTypes.Unpack(cluster.TypedDnsResolverConfig.TypedConfig)!;
        Assert.That(resolver.Resolvers.Single().SocketAddress.Address, Is.EqualTo("10.96.0.10"));
    }

    [TestCase("a.example", "a.example")]
    [TestCase("A2.example", "a.example")]
    [TestCase("x.b.example", "b.example")]
    [TestCase("broken.example", "d.example", Description = "an unusable Secret falls back to the default certificate")]
    [TestCase("plain.example", "d.example", Description = "a host without TLS gets the default certificate")]
    [TestCase("unknown.example", "d.example")]
    public void Sni_selects_the_certificate(string serverName, string certificateName)
    {
        var parsed = Case("tls-sni-default-cert");
        var chain = EnvoyRoutingModel.Chain(parsed.Listener("https"), serverName);
        Assert.That(chain, Is.Not.Null);
        string file = EnvoyParsed.Tls(chain!).CommonTlsContext.TlsCertificates.Single().CertificateChain.Filename;
        var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(parsed.Config[EnvoyRenderer.RenderedPath(file)!]!.Content));
        Assert.That(certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, forIssuer: false), Is.EqualTo(certificateName));
    }

    [Test]
    public void Server_names_are_grouped_per_certificate_with_a_default_chain()
    {
        var https = Case("tls-sni-default-cert").Listener("https");
        Assert.That(https.ListenerFilters.Single().Name, Is.EqualTo("envoy.filters.listener.tls_inspector"));
        var names = https.FilterChains.Select(c => string.Join(",", c.FilterChainMatch.ServerNames)).Order().ToList();
        Assert.That(names, Is.EqualTo(new[] { "*.b.example", "a.example,a2.example", "broken.example" }));
        Assert.That(https.DefaultFilterChain.Name, Is.EqualTo("tls-default"));
        Assert.That(https.DefaultFilterChain.FilterChainMatch, Is.Null);
    }

    [Test]
    public void Without_a_default_certificate_an_unknown_sni_matches_no_chain()
    {
        var https = Case("tls-no-default-cert").Listener("https");
        Assert.That(https.DefaultFilterChain, Is.Null);
        Assert.That(EnvoyRoutingModel.Chain(https, "unknown.example"), Is.Null);
        Assert.That(EnvoyRoutingModel.Chain(https, "broken.example"), Is.Null, "its Secret is missing and there is no default certificate");
        Assert.That(EnvoyRoutingModel.Chain(https, "a.example"), Is.Not.Null);
    }

    [Test]
    public void Without_any_certificate_there_is_no_https_listener()
    {
        Assert.That(Case("paths").Listeners.Select(l => l.Name), Is.EqualTo(new[] { "http" }));
    }

    [TestCase("a.example", "cluster default_web_80")]
    [TestCase("x.b.example", "cluster default_web_80")]
    [TestCase("x.y.b.example", "status 404", Description = "two labels: the hostless rules (none), then 404")]
    [TestCase("plain.example", "status 404", Description = "a plain-HTTP host asked for over HTTPS gets the hostless rules, as in nginx")]
    public void The_https_route_table_holds_only_tls_hosts(string host, string expected)
    {
        Assert.That(EnvoyRoutingModel.Route(Case("tls-no-default-cert").HttpsRoutes, host, "/"), Is.EqualTo(expected));
    }

    [TestCase("a.example", "redirect https:443")]
    [TestCase("a2.example:8080", "redirect https:443")]
    [TestCase("x.b.example", "redirect https:443")]
    [TestCase("x.y.b.example", "status 404", Description = "not the wildcard's host: no redirect")]
    [TestCase("plain.example", "cluster default_web_80")]
    [TestCase("broken.example", "cluster default_web_80", Description = "no usable certificate, so no TLS and no redirect")]
    public void Redirect_applies_to_tls_hosts_on_plain_http_only(string host, string expected)
    {
        var parsed = Case("redirect");
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpRoutes, host, "/x?y=1"), Is.EqualTo(expected));
        Assert.That(EnvoyRoutingModel.Route(parsed.HttpsRoutes, "a.example", "/x"), Is.EqualTo("cluster default_web_80"));
        var redirect = parsed.HttpRoutes.VirtualHosts.Single(v => v.Name == "a.example").Routes.Single().Redirect;
        Assert.That(redirect.ResponseCode, Is.EqualTo(RedirectAction.Types.RedirectResponseCode.PermanentRedirect));
        Assert.That(redirect.HttpsRedirect, Is.True);
    }

    [Test]
    public void Proxying_keeps_the_host_uses_http1_supports_websockets_and_has_the_configured_timeouts()
    {
        var parsed = Case("examples");
        foreach (var listener in parsed.Listeners)
        {
            foreach (var chain in listener.FilterChains.Append(listener.DefaultFilterChain).OfType<global::Envoy.Config.Listener.V3.FilterChain>())
            {
                var hcm = EnvoyParsed.Hcm(chain);
                Assert.That(hcm.UseRemoteAddress, Is.True);
                Assert.That(hcm.XffNumTrustedHops, Is.Zero);
                Assert.That(hcm.UpgradeConfigs.Single().UpgradeType, Is.EqualTo("websocket"));
                Assert.That(hcm.CodecType, Is.EqualTo(global::Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.CodecType.Http1));
                Assert.That(hcm.CommonHttpProtocolOptions.IdleTimeout.ToTimeSpan(), Is.EqualTo(TimeSpan.FromSeconds(75)));
                Assert.That(hcm.Rds.RouteConfigName, Is.EqualTo(listener.Name));
            }
        }

        // Routes without a policy (a policy's timeouts are its own: EnvoyPolicyTests).
        foreach (var route in parsed.HttpRoutes.VirtualHosts.Concat(parsed.HttpsRoutes.VirtualHosts).SelectMany(v => v.Routes).Where(r => r.Route_ is not null && r.TypedPerFilterConfig.Count == 0))
        {
            Assert.That(route.Route_.HostRewriteSpecifierCase, Is.EqualTo(RouteAction.HostRewriteSpecifierOneofCase.None), "the original Host is forwarded");
            Assert.That(route.Route_.Timeout.ToTimeSpan(), Is.EqualTo(TimeSpan.Zero), "no total timeout: WebSockets and long responses");
            Assert.That(route.Route_.IdleTimeout.ToTimeSpan(), Is.EqualTo(TimeSpan.FromSeconds(60)));
        }

        // Cluster variants UPSTREAM/HASH carry a policy's own connect timeout.
        Assert.That(parsed.Clusters.Where(c => !c.Name.Contains('/', StringComparison.Ordinal)).Select(c => c.ConnectTimeout.ToTimeSpan()), Is.All.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(parsed.Clusters.Select(c => c.TypedExtensionProtocolOptions.Count), Is.All.Zero, "HTTP/1.1 upstream: no HTTP/2 options");
    }

    [Test]
    public void Forwarded_headers_are_replaced_for_untrusted_clients_and_kept_behind_a_trusted_balancer()
    {
        string Headers(global::Envoy.Config.Route.V3.RouteConfiguration config) =>
            string.Join("; ", config.RequestHeadersToAdd.Select(h => $"{h.Header.Key}={h.Header.Value} {h.AppendAction}"));

        var untrusted = Case("paths");
        Assert.That(Headers(untrusted.HttpRoutes), Is.EqualTo(
            "x-forwarded-for=%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% OverwriteIfExistsOrAdd; x-forwarded-proto=http OverwriteIfExistsOrAdd; "
            + "x-forwarded-host=%REQ(:AUTHORITY)% OverwriteIfExistsOrAdd; x-forwarded-port=8080 OverwriteIfExistsOrAdd; "
            + "x-real-ip=%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% OverwriteIfExistsOrAdd"));
        Assert.That(Headers(untrusted.HttpsRoutes), Does.Contain("x-forwarded-proto=https OverwriteIfExistsOrAdd"));

        var trusted = Case("forwarded-headers");
        Assert.That(Headers(trusted.HttpRoutes), Is.EqualTo(
            "x-forwarded-proto=http AddIfAbsent; x-forwarded-host=%REQ(:AUTHORITY)% AddIfAbsent; x-forwarded-port=80 OverwriteIfExistsOrAdd; "
            + "x-real-ip=%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% OverwriteIfExistsOrAdd"));
        var hcm = EnvoyParsed.Hcm(trusted.Listener("http").FilterChains.Single());
        Assert.That(hcm.XffNumTrustedHops, Is.EqualTo(1));
        Assert.That(hcm.AccessLog, Is.Empty);
        Assert.That(trusted.Listener("http").Address.SocketAddress.Address, Is.EqualTo("::"));
        Assert.That(trusted.Bootstrap.Admin.Address.SocketAddress.Address, Is.EqualTo("::1"));
        Assert.That(trusted.Clusters.Single().ConnectTimeout.ToTimeSpan(), Is.EqualTo(TimeSpan.FromMilliseconds(250)));
        Assert.That(trusted.HttpRoutes.VirtualHosts.Single().Routes.Single().Route_.IdleTimeout.ToTimeSpan(), Is.EqualTo(TimeSpan.FromSeconds(90)), "the larger of read and send timeouts");
    }

    [Test]
    public void Bootstrap_has_admin_on_loopback_reads_through_the_current_link_and_watches_the_root()
    {
        var bootstrap = Case("examples").Bootstrap;
        Assert.That(bootstrap.Admin.Address.SocketAddress.Address, Is.EqualTo("127.0.0.1"));
        Assert.That(bootstrap.Admin.Address.SocketAddress.PortValue, Is.EqualTo(10246));
        Assert.That(bootstrap.Node.Id, Is.EqualTo("portico"));
        Assert.That(bootstrap.StaticResources, Is.Null);
        foreach (var source in new[] { bootstrap.DynamicResources.LdsConfig, bootstrap.DynamicResources.CdsConfig })
        {
            Assert.That(source.PathConfigSource.WatchedDirectory.Path, Is.EqualTo("."), "the working directory, which holds the link current");
        }

        Assert.That(bootstrap.DynamicResources.LdsConfig.PathConfigSource.Path, Is.EqualTo("current/lds.json"));
        Assert.That(bootstrap.DynamicResources.CdsConfig.PathConfigSource.Path, Is.EqualTo("current/cds.json"));
        Assert.That(EnvoyRenderer.ConfigLink, Is.EqualTo(Portico.Core.Applying.VersionedConfigDirectory.CurrentLinkName), "the renderer reads through the applier's link");
    }

    [Test]
    public void Every_path_envoy_reads_goes_through_the_current_link()
    {
        var parsed = Case("tls-sni-default-cert");
        var https = parsed.Listener("https");
        foreach (var chain in https.FilterChains.Append(https.DefaultFilterChain))
        {
            var certificate = EnvoyParsed.Tls(chain).CommonTlsContext.TlsCertificates.Single();
            Assert.That(certificate.CertificateChain.Filename, Does.Match(@"^current/certs/[0-9a-f]{32}\.crt\z"));
            Assert.That(certificate.PrivateKey.Filename, Does.Match(@"^current/certs/[0-9a-f]{32}\.key\z"));
            var rds = EnvoyParsed.Hcm(chain).Rds.ConfigSource.PathConfigSource;
            Assert.That(rds.Path, Is.EqualTo("current/rds-https.json"));
            Assert.That(rds.WatchedDirectory.Path, Is.EqualTo("."));
        }

        var http = EnvoyParsed.Hcm(parsed.Listener("http").FilterChains.Single()).Rds.ConfigSource.PathConfigSource;
        Assert.That(http.Path, Is.EqualTo("current/rds-http.json"));
    }

    [Test]
    public void Private_keys_are_private_files_named_by_hash()
    {
        var config = EnvoyCases.Render("tls-sni-default-cert").Config;
        var certificates = config.Files.Where(f => f.Path.StartsWith("certs/", StringComparison.Ordinal)).ToList();
        Assert.That(certificates, Has.Count.EqualTo(6));
        Assert.That(certificates.Where(f => f.Path.EndsWith(".key", StringComparison.Ordinal)).Select(f => f.IsPrivate), Is.All.True);
        Assert.That(certificates.Where(f => f.Path.EndsWith(".crt", StringComparison.Ordinal)).Select(f => f.IsPrivate), Is.All.False);
        Assert.That(certificates.Select(f => f.Path), Is.All.Match("^certs/[0-9a-f]{32}\\.(crt|key)$"));
        Assert.That(config.Files.Where(f => !f.Path.StartsWith("certs/", StringComparison.Ordinal)).Select(f => f.Path),
            Is.EqualTo(new[] { "cds.json", "envoy.json", "lds.json", "rds-http.json", "rds-https.json" }));
    }

    [Test]
    public void Each_discovery_file_carries_the_hash_of_its_content_as_version_info()
    {
        var config = EnvoyCases.Render("examples").Config;
        foreach (string path in new[] { EnvoyRenderer.ListenersFile, EnvoyRenderer.ClustersFile, EnvoyRenderer.HttpRoutesFile, EnvoyRenderer.HttpsRoutesFile })
        {
            var file = config[path]!;
            string version = EnvoyRenderer.VersionOf(file)!;
            string unversioned = Encoding.UTF8.GetString(file.Content).Replace($"\"version_info\": \"{version}\"", "\"version_info\": \"\"", StringComparison.Ordinal);
            Assert.That(version, Is.EqualTo(EnvoyRenderer.ContentVersion(Encoding.UTF8.GetBytes(unversioned))), path);
            Assert.That(new EnvoyParsed(config).Response(path).VersionInfo, Is.EqualTo(version));
        }

        Assert.That(EnvoyRenderer.VersionOf(config[EnvoyRenderer.ClustersFile]!), Is.Not.EqualTo(EnvoyRenderer.VersionOf(config[EnvoyRenderer.ListenersFile]!)));
    }

    [Test]
    public void The_version_ignores_formatting_and_key_order_but_not_content()
    {
        byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);
        string version = EnvoyRenderer.ContentVersion(Bytes("{\"version_info\": \"\", \"resources\": [{\"name\": \"a\", \"type\": \"STATIC\"}]}"));
        Assert.That(EnvoyRenderer.ContentVersion(Bytes("{\n  \"resources\": [ { \"type\": \"STATIC\",\n \"name\": \"a\" } ],\n  \"version_info\": \"\"\n}")), Is.EqualTo(version));
        Assert.That(EnvoyRenderer.ContentVersion(Bytes("{\"version_info\": \"\", \"resources\": [{\"name\": \"b\", \"type\": \"STATIC\"}]}")), Is.Not.EqualTo(version));
        Assert.That(EnvoyRenderer.ContentVersion(Bytes("{\"version_info\": \"\", \"resources\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}")),
            Is.Not.EqualTo(EnvoyRenderer.ContentVersion(Bytes("{\"version_info\": \"\", \"resources\": [{\"name\": \"b\"}, {\"name\": \"a\"}]}"))), "array order is content");
    }

    [Test]
    public void A_template_override_that_only_reformats_keeps_every_version()
    {
        string templates = Directory.CreateTempSubdirectory("portico-envoy-templates-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(templates, "envoy"));
            string builtIn = File.ReadAllText(Portico.TestSupport.RepositoryPaths.Combine("templates", "envoy", "cds.json.scriban"));
            File.WriteAllText(Path.Combine(templates, "envoy", "cds.json.scriban"), builtIn.Replace("      \"lb_policy\": {{ env.name cluster.options.lb_policy }},", "          \"lb_policy\":   {{ env.name cluster.options.lb_policy }} ,", StringComparison.Ordinal));
            var model = Portico.Core.Building.ModelBuilder.Build(Portico.TestSupport.Kube.Snapshot(
                Portico.TestSupport.Kube.Ingress("a").WithPath("a.example", "/", "Prefix", "web", 80),
                Portico.TestSupport.Kube.Service("web"),
                Portico.TestSupport.Kube.Slice("web", null, 8080, ["10.0.0.5"])), new Portico.Core.Building.BuildOptions());
            var settings = new Portico.Core.Rendering.ProxySettings();
            var builtInConfig = ProxyKind.Envoy.CreateRenderer().Render(model, settings);
            var reformatted = ProxyKind.Envoy.CreateRenderer(templates).Render(model, settings);
            Assert.That(reformatted[EnvoyRenderer.ClustersFile]!.Content, Is.Not.EqualTo(builtInConfig[EnvoyRenderer.ClustersFile]!.Content), "test setup: the bytes differ");
            Assert.That(EnvoyRenderer.VersionOf(reformatted[EnvoyRenderer.ClustersFile]!), Is.EqualTo(EnvoyRenderer.VersionOf(builtInConfig[EnvoyRenderer.ClustersFile]!)));
        }
        finally
        {
            Directory.Delete(templates, recursive: true);
        }
    }

    [Test]
    public void A_change_to_one_file_changes_only_that_files_version()
    {
        var before = EnvoyCases.Render("named-ports").Config;
        var after = EnvoyCases.Render("unavailable").Config;
        Assert.That(EnvoyRenderer.VersionOf(after[EnvoyRenderer.ListenersFile]!), Is.EqualTo(EnvoyRenderer.VersionOf(before[EnvoyRenderer.ListenersFile]!)),
            "listeners are the same: routes and clusters live in their own files, so a route change does not drain listeners");
        Assert.That(EnvoyRenderer.VersionOf(after[EnvoyRenderer.HttpRoutesFile]!), Is.Not.EqualTo(EnvoyRenderer.VersionOf(before[EnvoyRenderer.HttpRoutesFile]!)));
    }
}
