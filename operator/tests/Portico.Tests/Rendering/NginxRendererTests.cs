using System.Text;
using Portico.Core.Applying.Nginx;
using Portico.Core.Building;
using Portico.Core.Model;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Nginx;
using Portico.TestSupport;

namespace Portico.Tests.Rendering;

public sealed class NginxRendererTests
{
    private static readonly IProxyRenderer Renderer = ProxyKind.Nginx.CreateRenderer();

    private static RenderedConfig Render(params k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>[] objects) =>
        Renderer.Render(ModelBuilder.Build(Kube.Snapshot(objects), new BuildOptions()), new ProxySettings());

    /// <summary>
    /// Renders with one more route on a.test that carries a policy of its own, so that a.test keeps one location per
    /// path (routes with different policies are not matched by Lua from one location, ADR 0011).
    /// </summary>
    private static RenderedConfig RenderPerPath(params k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>[] objects) => RenderPerPath("web", objects);

    private static RenderedConfig RenderPerPath(string service, params k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>[] objects) =>
        Render([.. objects, Kube.Ingress("per-path").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m").WithPath("a.test", "/per-path", "Exact", service, 80)]);

    private const string NginxEndpointsFileName = "portico-endpoints.txt";

    private static string Conf(RenderedConfig config) => Encoding.UTF8.GetString(config[NginxRenderer.MainFile]!.Content);

    private static string Endpoints(RenderedConfig config) => Encoding.ASCII.GetString(config[NginxEndpointsFileName]!.Content);

    /// <summary>What the location <paramref name="header"/> of host a.test does: its route's target in the live file.</summary>
    private static string TargetOf(RenderedConfig config, string header, string? endpoints = null)
    {
        string conf = Conf(config);
        int server = conf.IndexOf("server_name \"a.test\";", StringComparison.Ordinal);
        int at = conf.IndexOf(header + " {", server, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), header);
        string route = System.Text.RegularExpressions.Regex.Match(conf[at..], "set \\$portico_route \"(r[0-9a-f]+)\";").Groups[1].Value;
        string line = (endpoints ?? Endpoints(config)).Split('\n').Single(l => l.StartsWith("@" + route + " ", StringComparison.Ordinal));
        return line[(route.Length + 2)..];
    }

    [Test]
    public void The_status_file_serves_the_hash_of_every_other_file()
    {
        var config = Render(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80));
        string status = Encoding.UTF8.GetString(config[NginxRenderer.StatusFile]!.Content);
        Assert.That(status, Does.Contain($"return 200 \"{config.Hash}\";"));
        Assert.That(config.Hash, Is.EqualTo(RenderedConfig.HashOf(config.Files.Where(f => f.Path != NginxRenderer.StatusFile))));
        Assert.That(Conf(config), Does.Contain("include portico-status.conf;"));
    }

    [Test]
    public void A_change_in_the_cluster_changes_the_hash_and_an_equal_cluster_does_not()
    {
        var first = Render(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80));
        var same = Render(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80));
        var other = Render(Kube.Ingress("a").WithPath("b.test", "/", "Prefix", "web", 80));
        Assert.That((same.Hash, same.LiveHash), Is.EqualTo((first.Hash, first.LiveHash)));
        // A plain-HTTP host is routed by the default server from the live file (ADR 0014): nginx.conf stays.
        Assert.That((other.Hash, other.LiveHash == first.LiveHash), Is.EqualTo((first.Hash, false)), "another plain host: live data only");
        k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>[] web = [Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"])];
        var served = Render([Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), .. web]);
        var limited = Render([Kube.Ingress("a").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m").WithPath("a.test", "/", "Prefix", "web", 80), .. web]);
        Assert.That(limited.Hash, Is.Not.EqualTo(served.Hash), "a host with a policy has a server block of its own");
    }

    [Test]
    public void A_host_whose_routes_share_one_policy_has_one_location_and_its_paths_are_live_data()
    {
        k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>[] services = [Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]), Kube.Service("api"), Kube.Slice("api", null, 80, ["10.0.0.2"])];
        // One policy (a body size) on both routes: the host has a server block, with one location.
        var first = Render([Kube.Ingress("a").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m").WithPath("a.test", "/", "Prefix", "web", 80).WithPath("a.test", "/api", "Prefix", "api", 80), .. services]);
        var moved = Render([Kube.Ingress("a").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m").WithPath("a.test", "/", "Prefix", "web", 80).WithPath("a.test", "/v2", "Exact", "api", 80), .. services]);
        string conf = Conf(first);
        Assert.That(conf, Does.Match("server_name \"a.test\";\n\n        location \"/\" \\{\n            header_filter_by_lua_block \\{\n                portico.headers\\(\"h[0-9a-f]{20}\"\\)\n            \\}\n            client_max_body_size 2m;\n            set \\$portico_rules \"(h[0-9a-f]{20})\";\n            proxy_pass http://portico_balancer;\n        \\}\n    \\}"));
        string key = System.Text.RegularExpressions.Regex.Match(conf, "set \\$portico_rules \"(h[0-9a-f]{20})\";").Groups[1].Value;
        Assert.That(Endpoints(first).Split('\n'), Does.Contain($"&{key} P:2f617069:default_api_80 P:2f:default_web_80"), "the rules, in precedence order");
        Assert.That(Endpoints(moved).Split('\n'), Does.Contain($"&{key} E:2f7632:default_api_80 P:2f:default_web_80"));
        Assert.That(moved.Hash, Is.EqualTo(first.Hash), "a path added, removed or switched on such a host is no reload");
        Assert.That(moved.LiveHash, Is.Not.EqualTo(first.LiveHash));
    }

    [Test]
    public void A_policy_change_gives_a_matched_host_new_rules_key_so_old_workers_keep_their_own_rules()
    {
        var open = Render(Kube.Ingress("a").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "1m").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]));
        var limited = Render(Kube.Ingress("a").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]));
        static string Key(RenderedConfig c) => System.Text.RegularExpressions.Regex.Match(Conf(c), "set \\$portico_rules \"(h[0-9a-f]{20})\";").Groups[1].Value;
        Assert.That(Key(limited), Is.Not.Empty.And.Not.EqualTo(Key(open)));
        Assert.That(Conf(limited), Does.Contain("client_max_body_size 2m;"));
        string during = Encoding.ASCII.GetString(new NginxEndpointsTransition().During(open.Live, limited).Single().Content);
        Assert.That(during, Does.Contain($"\n&{Key(open)} ").And.Contain($"\n&{Key(limited)} "), "while nginx reloads, both keys' rules are out");
    }

    [Test]
    public void Response_headers_and_timeouts_of_a_policy_are_live_data_and_an_edit_of_them_is_no_reload()
    {
        k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>[] web = [Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"])];
        RenderedConfig With(params (string Name, string Value)[] annotations)
        {
            var ingress = Kube.Ingress("a").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m").WithPath("a.test", "/", "Prefix", "web", 80).WithPath("a.test", "/api", "Prefix", "web", 80);
            foreach (var (name, value) in annotations)
            {
                ingress = ingress.WithAnnotation(name, value);
            }

            return Render([ingress, .. web]);
        }

        var plain = With();
        var first = With(("nginx.ingress.kubernetes.io/proxy-read-timeout", "30"), ("nginx.ingress.kubernetes.io/proxy-connect-timeout", "2"));
        var edited = With(("nginx.ingress.kubernetes.io/proxy-read-timeout", "45"));
        Assert.That((first.Hash, edited.Hash), Is.EqualTo((plain.Hash, plain.Hash)), "timeouts added and edited: nginx.conf stays");
        Assert.That(Conf(first), Does.Not.Contain("proxy_read_timeout 30s").And.Not.Contain("proxy_connect_timeout 2s"));
        string key = System.Text.RegularExpressions.Regex.Match(Conf(first), "set \\$portico_rules \"(h[0-9a-f]{20})\";").Groups[1].Value;
        Assert.That(Endpoints(first).Split('\n'), Does.Contain($"+{key} t:2000:30000:30000"));
        Assert.That(Endpoints(edited).Split('\n'), Does.Contain($"+{key} t:-:45000:45000"), "a timeout not given keeps nginx.conf's");
        Assert.That(Endpoints(plain), Does.Not.Contain("\n+"), "nothing live to say, no line");
    }

    [Test]
    public void A_host_whose_policy_is_all_live_data_has_no_server_block_and_its_rules_carry_the_policy()
    {
        k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>[] web = [Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"])];
        RenderedConfig With(params (string Name, string Value)[] annotations)
        {
            var ingress = Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80);
            foreach (var (name, value) in annotations)
            {
                ingress = ingress.WithAnnotation(name, value);
            }

            return Render([ingress, .. web]);
        }

        var plain = With();
        var timed = With(("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600"));
        var limited = With(("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600"), ("nginx.ingress.kubernetes.io/proxy-body-size", "8m"));
        Assert.That(timed.Hash, Is.EqualTo(plain.Hash), "no server block: the default server routes a.test (ADR 0014, 0016)");
        Assert.That(Endpoints(timed).Split('\n'), Does.Contain("=a.test P:2f:default_web_80;t:-:3600000:3600000"));
        Assert.That(limited.Hash, Is.Not.EqualTo(plain.Hash), "a body size is nginx.conf's: the host has its own server block");
        Assert.That(Endpoints(limited), Does.Not.Contain("=a.test"));
    }

    [Test]
    public void Response_headers_that_nginx_treats_itself_stay_directives()
    {
        var policy = Core.Model.Policies.RoutePolicy.None with
        {
            ResponseHeaders = new Core.Model.Policies.HeaderMutation([], [new Core.Model.Policies.HeaderEntry("cache-control", "no-store"), new Core.Model.Policies.HeaderEntry("x-ok", "1")], []),
            Timeouts = new Core.Model.Policies.TimeoutRule(TimeSpan.FromSeconds(2), null, null),
        };
        var (kept, live) = NginxLivePolicy.Split(policy)!.Value;
        Assert.That(kept.ResponseHeaders, Is.EqualTo(policy.ResponseHeaders), "one special name keeps the whole mutation in nginx.conf");
        Assert.That((kept.Timeouts, live.ConnectMs, live.ReadMs), Is.EqualTo(((Core.Model.Policies.TimeoutRule?)null, (long?)2000, (long?)null)));
        Assert.That(live.Line("habc"), Is.EqualTo("+habc t:2000:-:-"));

        foreach (string special in new[] { "set-cookie", "vary", "access-control-allow-origin", "content-type", "location", "server" })
        {
            var mutation = new Core.Model.Policies.HeaderMutation([], [], [special]);
            Assert.That(NginxLivePolicy.Split(policy with { ResponseHeaders = mutation, Timeouts = null })!.Value.Static.ResponseHeaders, Is.EqualTo(mutation), special);
        }

        Assert.That(NginxLivePolicy.Split(Core.Model.Policies.RoutePolicy.None), Is.Null);
    }

    [Test]
    public void A_live_header_line_is_readable_and_escapes_what_could_break_it()
    {
        var policy = Core.Model.Policies.RoutePolicy.None with
        {
            ResponseHeaders = new Core.Model.Policies.HeaderMutation(
                [new Core.Model.Policies.HeaderEntry("x-added", "a b")],
                [new Core.Model.Policies.HeaderEntry("x_set.v2", "k=v; \"q\" 100% :x\\")],
                ["x-gone"]),
        };
        var (kept, live) = NginxLivePolicy.Split(policy)!.Value;
        Assert.That(kept.IsEmpty, Is.True);
        Assert.That(live.Line("h0"), Is.EqualTo("+h0 h:x_set.v2 h:x-gone a:x_set.v2:k=v%3B%20%22q%22%20100%25%20%3Ax%5C a:x-added:a%20b"));
        Assert.That(() => (live with { HiddenResponseHeaders = ["x gone\n@r1 !200"] }).Line("h0"), Throws.TypeOf<TemplateException>());
        Assert.That(() => live.Line("h0\n@r1"), Throws.TypeOf<TemplateException>());
    }

    [Test]
    public void Hosts_whose_routes_differ_in_policy_or_rewrite_or_use_regex_paths_keep_one_location_per_path()
    {
        var mixed = Render(
            Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80),
            Kube.Ingress("b").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m").WithPath("a.test", "/b", "Prefix", "web", 80),
            Kube.Ingress("r").WithAnnotation("nginx.ingress.kubernetes.io/use-regex", "true").WithPath("r.test", "/x/[0-9]+", "ImplementationSpecific", "web", 80),
            Kube.Ingress("w").WithAnnotation("nginx.ingress.kubernetes.io/rewrite-target", "/").WithPath("w.test", "/old", "Prefix", "web", 80),
            Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]));
        string conf = Conf(mixed);
        Assert.That(conf, Does.Not.Contain("set $portico_rules"));
        Assert.That(conf, Does.Contain("location ^~ \"/b/\"").And.Contain("location ~ ").And.Contain("location ^~ \"/old/\""));
        Assert.That(Endpoints(mixed), Does.Not.Contain("\n&"));
    }

    [Test]
    public void Keys_are_private_files_named_by_content_hash_and_certificates_are_not()
    {
        var pem = TestCertificates.Create("a.test");
        var config = Render(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80).WithTls("tls", "a.test"), Kube.TlsSecret("tls", pem.Certificate, pem.Key));
        var key = config.Files.Single(f => f.Path.EndsWith(".key", StringComparison.Ordinal));
        var certificate = config.Files.Single(f => f.Path.EndsWith(".crt", StringComparison.Ordinal));
        Assert.That((key.IsPrivate, certificate.IsPrivate), Is.EqualTo((true, false)));
        Assert.That(key.Path, Does.Match("^certs/[0-9a-f]{32}\\.key$"));
        string id = key.Path[6..^4];
        Assert.That(Encoding.ASCII.GetString(config[NginxRenderer.CertificatesFile]!.Content), Is.EqualTo($"a.test {id}\n"), "the Lua presents it by server name (ADR 0017)");
        Assert.That(config[NginxRenderer.CertificatesFile]!.IsPrivate, Is.False);
        Assert.That(Conf(config), Does.Not.Contain("ssl_certificate_key \"certs/"));

        var stock = Renderer.Render(ModelBuilder.Build(Kube.Snapshot(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80).WithTls("tls", "a.test"), Kube.TlsSecret("tls", pem.Certificate, pem.Key)), new BuildOptions()), new ProxySettings { NginxLuaEndpoints = false });
        Assert.That(Conf(stock), Does.Contain($"ssl_certificate_key \"{key.Path}\";"), "stock nginx loads the files itself");
        Assert.That(stock[NginxRenderer.CertificatesFile], Is.Null);
    }

    [Test]
    public void With_Lua_a_host_with_TLS_and_no_enforced_policy_has_no_server_block_but_a_name_in_the_SNI_server()
    {
        var a = TestCertificates.Create("a.test");
        var w = TestCertificates.Create("*.w.test");
        var config = Render(
            Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80).WithTls("tls-a", "a.test"),
            Kube.Ingress("b").WithPath("b.test", "/", "Prefix", "web", 80).WithTls("tls-a", "b.test").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "5m"),
            Kube.Ingress("w").WithPath("*.w.test", "/", "Prefix", "web", 80).WithTls("tls-w", "*.w.test"),
            Kube.Ingress("p").WithPath("p.test", "/", "Prefix", "web", 80),
            Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]), Kube.TlsSecret("tls-a", a.Certificate, a.Key), Kube.TlsSecret("tls-w", w.Certificate, w.Key));
        string conf = Conf(config);
        Assert.That(conf, Does.Contain("        listen 0.0.0.0:8443 ssl;\n        server_name \"a.test\";\n        ssl_certificate $portico_certificate_by_lua;"), "a.test: the SNI server, its only name");
        Assert.That(conf, Does.Not.Contain("server_name \"p.test\"").And.Not.Contain("server_name \"a.test\";\n\n"));
        Assert.That(conf, Does.Contain("server_name \"b.test\";\n        ssl_certificate $portico_certificate_by_lua;"), "an enforced policy keeps the block; the Lua still presents its certificate");
        Assert.That(conf, Does.Contain("server_name \"~^[^.]+\\.w\\.test$\";\n        ssl_certificate $portico_certificate_by_lua;"));
        Assert.That(conf, Does.Not.Contain("ssl_certificate \"certs/"), "nginx loads no certificate itself");
        Assert.That(conf.Split("ssl_certificate_by_lua_block").Length - 1, Is.EqualTo(3));
        Assert.That(conf, Does.Contain("\n        portico.load_certificates()\n    }"), "the master loads them with the configuration");
        Assert.That(Endpoints(config), Does.Contain("\n~a.test ").And.Contain("\n=p.test ").And.Not.Contain("b.test "));
        string index = Encoding.ASCII.GetString(config[NginxRenderer.CertificatesFile]!.Content);
        Assert.That(index, Does.Match("^\\*\\.w\\.test [0-9a-f]{32}\na\\.test ([0-9a-f]{32})\nb\\.test \\1\n$"), "every host with TLS, sorted; a and b share a Secret");
    }

    [Test]
    public void A_host_whose_plain_HTTP_is_redirected_keeps_its_server_block()
    {
        var a = TestCertificates.Create("a.test");
        var model = ModelBuilder.Build(Kube.Snapshot(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80).WithTls("tls-a", "a.test"),
            Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]), Kube.TlsSecret("tls-a", a.Certificate, a.Key)), new BuildOptions { RedirectHttpToHttps = true });
        var config = Renderer.Render(model, new ProxySettings());
        string conf = Conf(config);
        Assert.That(conf, Does.Contain("server_name \"a.test\";\n        ssl_certificate $portico_certificate_by_lua;"));
        Assert.That(conf, Does.Contain("if ($scheme = http) {\n            return 308 https://$host$request_uri;"));
        Assert.That(Endpoints(config), Does.Not.Contain("a.test "));
    }

    [Test]
    public void Without_hosts_with_TLS_there_is_no_SNI_server_and_no_certificates_file()
    {
        var config = Render(Kube.Ingress("p").WithPath("p.test", "/", "Prefix", "web", 80), Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]));
        Assert.That(Conf(config), Does.Not.Contain("ssl_certificate_by_lua_block").And.Not.Contain("\n        portico.load_certificates()\n").And.Not.Contain("listen 0.0.0.0:8443 ssl;\n        server_name \""));
        Assert.That(config[NginxRenderer.CertificatesFile], Is.Null);
    }

    [Test]
    public void Prefix_routes_get_an_exact_and_a_slash_location_unless_an_Exact_route_takes_the_exact_one()
    {
        var config = RenderPerPath(
            Kube.Ingress("a").WithPath("a.test", "/p", "Prefix", "web", 80).WithPath("a.test", "/q", "Prefix", "web", 80).WithPath("a.test", "/q", "Exact", "api", 80),
            Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]), Kube.Service("api"), Kube.Slice("api", null, 80, ["10.0.0.2"]));
        Assert.That(TargetOf(config, "location = \"/p\""), Is.EqualTo("default_web_80"));
        Assert.That(TargetOf(config, "location ^~ \"/p/\""), Is.EqualTo("default_web_80"));
        Assert.That(TargetOf(config, "location = \"/q\""), Is.EqualTo("default_api_80"));
        Assert.That(TargetOf(config, "location ^~ \"/q/\""), Is.EqualTo("default_web_80"));
        Assert.That(Conf(config).Split("location = \"/q\"").Length, Is.EqualTo(2), "one exact location for /q");
    }

    [Test]
    public void Routes_to_a_Service_without_ready_endpoints_still_name_its_upstream_so_endpoints_arriving_need_no_reload()
    {
        var empty = RenderPerPath(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Service("web"));
        var ready = RenderPerPath(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]));
        Assert.That(Conf(empty), Does.Match("location \"/\" \\{\n            set \\$portico_route \"r[0-9a-f]{20}\";\n            proxy_pass http://portico_balancer;"));
        Assert.That(TargetOf(empty, "location \"/\""), Is.EqualTo("default_web_80"), "the model's 503 for lack of endpoints names its backend (an empty upstream, which the Lua answers with 503)");
        Assert.That(ready.Hash, Is.EqualTo(empty.Hash), "only the live endpoints file differs");
        Assert.That(ready.LiveHash, Is.Not.EqualTo(empty.LiveHash));
        Assert.That(Endpoints(empty), Does.Contain("\ndefault_web_80\n"));
        Assert.That(Endpoints(ready), Does.Contain("\ndefault_web_80 10.0.0.1:80\n"));
    }

    [Test]
    public void The_endpoints_file_has_a_version_line_with_its_own_hash_then_one_sorted_line_per_upstream()
    {
        var config = Render(
            Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80).WithPath("a.test", "/v6", "Prefix", "api", 8080),
            Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.2", "10.0.0.1"]),
            Kube.Service("api", "default", (null, 8080)), Kube.Slice("api", null, 8080, ["fd00::1"], addressType: "IPv6"));
        string text = Endpoints(config);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo($"# portico endpoints {config.LiveHash}"));
        Assert.That(lines.Skip(1), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(lines, Does.Contain("default_api_8080 [fd00::1]:8080").And.Contain("default_web_80 10.0.0.1:80 10.0.0.2:80"));
        Assert.That(lines.Where(l => l.StartsWith('@')), Has.All.Match("^@r[0-9a-f]{20} (default_web_80|default_api_8080|!404)$"), "a route per location");
        Assert.That(lines, Does.Contain("=a.test P:2f7636:default_api_8080 P:2f:default_web_80"), "the plain-HTTP host, for the default server while it reloads");
        string body = text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..];
        Assert.That(config.LiveHash, Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(body)))));
        Assert.That(config.Files.Select(f => f.Path), Does.Not.Contain(NginxEndpointsFileName), "live, not in the reloaded files");
        Assert.That(config.AllFiles.Select(f => f.Path), Does.Contain(NginxEndpointsFileName));
    }

    [Test]
    public void While_reloading_the_endpoints_file_holds_the_old_and_the_new_upstreams_with_the_new_lines_winning()
    {
        var before = RenderPerPath("api", Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80).WithPath("a.test", "/api", "Prefix", "api", 80),
            Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]), Kube.Service("api"), Kube.Slice("api", null, 80, ["10.0.0.9"]));
        var next = RenderPerPath("api", Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web2", 80).WithPath("a.test", "/api", "Prefix", "api", 80),
            Kube.Service("web2"), Kube.Slice("web2", null, 80, ["10.0.0.2"]), Kube.Service("api"), Kube.Slice("api", null, 80, ["10.0.0.8"]));

        var during = new NginxEndpointsTransition().During(before.Live, next);

        string text = Encoding.ASCII.GetString(during.Single().Content);
        string body = text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..];
        Assert.That(text, Does.StartWith($"# portico endpoints {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(body)))}\n"));
        Assert.That(body.Split('\n', StringSplitOptions.RemoveEmptyEntries), Does.Contain("default_api_80 10.0.0.8:80").And.Contain("default_web2_80 10.0.0.2:80").And.Contain("default_web_80 10.0.0.1:80"));
        Assert.That(TargetOf(next, "location \"/\"", text), Is.EqualTo("default_web2_80"), "a route both versions have: the new target wins");
        Assert.That(new NginxEndpointsTransition().During([], Render(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80))), Has.Length.EqualTo(1), "nothing before: the new file as is");
    }

    [Test]
    public void Endpoint_changes_leave_nginx_conf_and_its_hash_alone()
    {
        var one = Render(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]));
        var two = Render(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1", "10.0.0.3"]));
        Assert.That(two.Hash, Is.EqualTo(one.Hash));
        Assert.That(two.Files.Select(f => f.Content), Is.EqualTo(one.Files.Select(f => f.Content)));
        Assert.That(two.Identity, Is.Not.EqualTo(one.Identity));
    }

    [Test]
    public void Without_Lua_endpoints_upstreams_are_blocks_in_nginx_conf_and_there_is_no_live_file()
    {
        var settings = new ProxySettings { NginxLuaEndpoints = false };
        var ready = Renderer.Render(ModelBuilder.Build(Kube.Snapshot(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80).WithPath("a.test", "/down", "Prefix", "down", 80),
            Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]), Kube.Service("down")), new BuildOptions()), settings);
        string conf = Conf(ready);
        Assert.That(conf, Does.Contain("upstream default_web_80 {\n        server 10.0.0.1:80;\n        keepalive 320;\n    }"));
        Assert.That(conf, Does.Contain("location \"/\" {\n            proxy_pass http://default_web_80;"));
        Assert.That(conf, Does.Contain("location = \"/down\" {\n            return 503;"), "no ready endpoints: a fixed 503");
        Assert.That(conf, Does.Not.Contain("lua").And.Not.Contain("load_module"));
        Assert.That(Encoding.UTF8.GetString(ready[NginxRenderer.StatusFile]!.Content), Does.Not.Contain("endpoints-hash"));
        Assert.That((ready.Live.Length, ready.LiveHash), Is.EqualTo((0, (string?)null)));

        var scaled = Renderer.Render(ModelBuilder.Build(Kube.Snapshot(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80).WithPath("a.test", "/down", "Prefix", "down", 80),
            Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1", "10.0.0.2"]), Kube.Service("down")), new BuildOptions()), settings);
        Assert.That(scaled.Hash, Is.Not.EqualTo(ready.Hash), "an endpoint change is a new nginx.conf, and a reload");
    }

    [Test]
    public void The_Lua_modules_are_loaded_from_the_configured_directory_or_not_at_all()
    {
        string debian = Conf(Render(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80)));
        Assert.That(debian, Does.Contain("load_module \"/usr/lib/nginx/modules/ndk_http_module.so\";\nload_module \"/usr/lib/nginx/modules/ngx_http_lua_module.so\";"));
        var openResty = Renderer.Render(ModelBuilder.Build(Kube.Snapshot(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80)), new BuildOptions()), new ProxySettings { NginxModulesDirectory = string.Empty });
        Assert.That(Conf(openResty), Does.Not.Contain("load_module"));
    }

    [Test]
    public void The_server_names_hash_is_sized_for_the_longest_name_and_the_number_of_names()
    {
        string longHost = string.Join('.', Enumerable.Repeat(new string('a', 60), 4));
        string conf = Conf(Render(Kube.Ingress("a").WithPath(longHost, "/", "Prefix", "web", 80)));
        Assert.That(conf, Does.Contain("server_names_hash_bucket_size 1024;"));
    }

    [Test]
    public void Large_configurations_are_rendered_whole()
    {
        var objects = new List<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>> { Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]) };
        for (int i = 0; i < 5000; i++)
        {
            // A policy on each: a server block per host (plain hosts have none, ADR 0014).
            objects.Add(Kube.Ingress($"i{i}").WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", "2m").WithPath($"host-{i}.example.com", "/", "Prefix", "web", 80).WithPath($"host-{i}.example.com", "/api", "Prefix", "web", 80)
                .WithPath($"host-{i}.example.com", "/static", "Prefix", "web", 80).WithPath($"host-{i}.example.com", "/healthz", "Exact", "web", 80));
        }

        string conf = Conf(Render([.. objects]));
        Assert.That(conf.Length, Is.GreaterThan(1_100_000), "larger than Scriban's default string limit");
        Assert.That(conf, Does.Contain("server_name \"host-4999.example.com\";").And.EndWith("    include portico-status.conf;\n}\n"));
        Assert.That(conf.Split("server {").Length - 1, Is.EqualTo(5001));
    }

    [Test]
    public void A_template_helper_that_refuses_a_value_fails_the_render()
    {
        var model = ModelBuilder.Build(ClusterSnapshotWithUpstream(), new BuildOptions()) with { };
        var poisoned = model with
        {
            VirtualHosts = [.. model.VirtualHosts.Select(v => v with { Routes = [.. v.Routes.Select(r => r with { Match = new PathMatch(PathKind.Exact, "/$x") })] })],
        };
        // Without Lua endpoints the path is printed into a location (with them, a host like this one is matched by Lua
        // and its paths go hex-encoded into the live file).
        Assert.Throws<TemplateException>(() => Renderer.Render(poisoned, new ProxySettings { NginxLuaEndpoints = false }));
    }

    private static Core.Kubernetes.ClusterSnapshot ClusterSnapshotWithUpstream() =>
        Kube.Snapshot(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]));
}
