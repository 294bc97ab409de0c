using System.Text;
using Portico.Core.Building;
using Portico.Core.Model;
using Portico.Core.Offline;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Nginx;
using Portico.TestSupport;

namespace Portico.Tests.Rendering;

public sealed class NginxRendererTests
{
    private static readonly IProxyRenderer Renderer = ProxyRenderers.Create("nginx");

    private static RenderedConfig Render(params k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>[] objects) =>
        Renderer.Render(ModelBuilder.Build(Kube.Snapshot(objects), new BuildOptions()), new ProxySettings());

    private static string Conf(RenderedConfig config) => Encoding.UTF8.GetString(config[NginxRenderer.MainFile]!.Content);

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
        var other = Render(Kube.Ingress("a").WithPath("a.test", "/x", "Prefix", "web", 80));
        Assert.That(same.Hash, Is.EqualTo(first.Hash));
        Assert.That(other.Hash, Is.Not.EqualTo(first.Hash));
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
        Assert.That(Conf(config), Does.Contain($"ssl_certificate_key \"{key.Path}\";"));
    }

    [Test]
    public void Prefix_routes_get_an_exact_and_a_slash_location_unless_an_Exact_route_takes_the_exact_one()
    {
        string conf = Conf(Render(
            Kube.Ingress("a").WithPath("a.test", "/p", "Prefix", "web", 80).WithPath("a.test", "/q", "Prefix", "web", 80).WithPath("a.test", "/q", "Exact", "api", 80),
            Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]), Kube.Service("api"), Kube.Slice("api", null, 80, ["10.0.0.2"])));
        Assert.That(conf, Does.Contain("location = \"/p\" {\n            proxy_pass http://default_web_80;"));
        Assert.That(conf, Does.Contain("location ^~ \"/p/\" {\n            proxy_pass http://default_web_80;"));
        Assert.That(conf, Does.Contain("location = \"/q\" {\n            proxy_pass http://default_api_80;"));
        Assert.That(conf, Does.Contain("location ^~ \"/q/\" {\n            proxy_pass http://default_web_80;"));
        Assert.That(conf.Split("location = \"/q\"").Length, Is.EqualTo(2), "one exact location for /q");
    }

    [Test]
    public void Upstreams_without_endpoints_are_not_written_and_their_routes_answer_503()
    {
        string conf = Conf(Render(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Service("web")));
        Assert.That(conf, Does.Not.Contain("upstream default_web_80"));
        Assert.That(conf, Does.Contain("location \"/\" {\n            return 503;"));
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
        for (int i = 0; i < 3000; i++)
        {
            objects.Add(Kube.Ingress($"i{i}").WithPath($"host-{i}.example.com", "/", "Prefix", "web", 80).WithPath($"host-{i}.example.com", "/api", "Prefix", "web", 80)
                .WithPath($"host-{i}.example.com", "/static", "Prefix", "web", 80).WithPath($"host-{i}.example.com", "/healthz", "Exact", "web", 80));
        }

        string conf = Conf(Render([.. objects]));
        Assert.That(conf.Length, Is.GreaterThan(1_100_000), "larger than Scriban's default string limit");
        Assert.That(conf, Does.Contain("server_name \"host-2999.example.com\";").And.EndWith("    include portico-status.conf;\n}\n"));
        Assert.That(conf.Split("server {").Length - 1, Is.EqualTo(3001));
    }

    [Test]
    public void A_template_helper_that_refuses_a_value_fails_the_render()
    {
        var model = ModelBuilder.Build(ClusterSnapshotWithUpstream(), new BuildOptions()) with { };
        var poisoned = model with
        {
            VirtualHosts = [.. model.VirtualHosts.Select(v => v with { Routes = [.. v.Routes.Select(r => r with { Match = new PathMatch(PathKind.Exact, "/$x") })] })],
        };
        Assert.Throws<TemplateException>(() => Renderer.Render(poisoned, new ProxySettings()));
    }

    private static Core.Kubernetes.ClusterSnapshot ClusterSnapshotWithUpstream() =>
        Kube.Snapshot(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Service("web"), Kube.Slice("web", null, 80, ["10.0.0.1"]));
}
