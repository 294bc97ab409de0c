using Portico.Core.Applying;
using Portico.Core.Applying.Envoy;
using Portico.Core.Applying.Nginx;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Options;

namespace Portico.Tests.Proxies;

/// <summary>The proxy is chosen once, from the `proxy` option, and each kind hands out its own parts.</summary>
public sealed class ProxyKindTests
{
    private string _shared = null!;

    [SetUp]
    public void SetUp() => _shared = Directory.CreateTempSubdirectory("portico-proxy-kind-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_shared, recursive: true);

    [Test]
    public void The_proxy_option_is_parsed_into_a_kind_exactly_by_name()
    {
        Assert.That(ProxyKind.Find("nginx"), Is.SameAs(ProxyKind.Nginx));
        Assert.That(ProxyKind.Find("envoy"), Is.SameAs(ProxyKind.Envoy));
        Assert.That(ProxyKind.Find("Envoy"), Is.Null);
        Assert.That(ProxyKind.Find("haproxy"), Is.Null);
        Assert.That(ProxyKind.All.Select(k => k.Name), Is.EqualTo(new[] { "nginx", "envoy" }), "the default first, as the unknown-proxy message lists them");
        Assert.That(OptionsResolver.Resolve(new PorticoOptions()).Proxy, Is.SameAs(ProxyKind.Nginx));
        Assert.That(OptionsResolver.Resolve(new PorticoOptions { Proxy = "envoy" }).Proxy, Is.SameAs(ProxyKind.Envoy));
        var e = Assert.Throws<OptionsException>(() => OptionsResolver.Resolve(new PorticoOptions { Proxy = "haproxy" }))!;
        Assert.That(e.Message, Does.Contain("proxy: \"haproxy\" is not one of nginx, envoy"));
    }

    [Test]
    public void Each_kind_renders_with_its_own_templates()
    {
        foreach (var kind in ProxyKind.All)
        {
            Assert.That(kind.CreateRenderer().Proxy, Is.EqualTo(kind.Name));
        }
    }

    [Test]
    public void Nginx_is_checked_with_its_binary_reloaded_by_pid_file_or_command_and_carries_endpoints_over()
    {
        var nginx = ProxyKind.Nginx;
        var directory = new VersionedConfigDirectory(_shared);

        Assert.That(nginx.CreateValidator(_shared, binary: null, TimeSpan.FromSeconds(1)), Is.Null, "no binary, no nginx -t");
        Assert.That(nginx.CreateValidator(_shared, "/usr/sbin/nginx", TimeSpan.FromSeconds(1)), Is.InstanceOf<NginxConfigValidator>());
        Assert.That(nginx.CreateReloadTrigger(_shared, reloadCommand: null), Is.InstanceOf<PidFileReloadTrigger>()
            .With.Property(nameof(PidFileReloadTrigger.PidFile)).EqualTo(Path.Combine(_shared, "nginx.pid")));
        Assert.That(nginx.CreateReloadTrigger(_shared, ["nginx", "-s", "reload"]), Is.InstanceOf<CommandReloadTrigger>());
        using var probe = (ConfigHashProbe)nginx.CreateProbe(new ProxySettings(), directory);
        Assert.That(probe.Endpoint.AbsolutePath, Is.EqualTo("/portico/config-hash"));
        Assert.That(nginx.LiveTransition, Is.InstanceOf<NginxEndpointsTransition>());
        Assert.That(nginx.FindSchemaCheck(), Is.Null);
        Assert.That(nginx.SchemaCheckMissingNote(), Is.Null, "nginx has no schema check to miss");
        var start = nginx.LocalStartInfo("/usr/sbin/nginx", _shared);
        Assert.That(start.FileName, Is.EqualTo("/usr/sbin/nginx"));
        Assert.That(start.ArgumentList.Take(6), Is.EqualTo(new[] { "-p", _shared + "/", "-c", "current/nginx.conf", "-e", "stderr" }));
        Assert.That(start.ArgumentList[7], Does.StartWith("daemon off;"));
    }

    [Test]
    public void Envoy_reloads_by_the_swap_is_confirmed_by_its_admin_api_and_has_no_live_transition()
    {
        var envoy = ProxyKind.Envoy;
        var directory = new VersionedConfigDirectory(_shared);

        Assert.That(envoy.CreateReloadTrigger(_shared, ["ignored"]), Is.SameAs(NoReloadTrigger.Instance));
        using var probe = (EnvoyAdminProbe)envoy.CreateProbe(new ProxySettings(), directory);
        Assert.That(probe.AdminEndpoint.Port, Is.EqualTo(new ProxySettings().StatusListen.Port));
        Assert.That(envoy.LiveTransition, Is.Null);
        Assert.That(envoy.CreateValidator(_shared, "/usr/local/bin/envoy", TimeSpan.FromSeconds(1)), Is.Not.Null);
        Assert.That(envoy.SchemaCheckMissingNote(), Does.Contain("Envoy schema check not run"));
        var start = envoy.LocalStartInfo("/usr/local/bin/envoy", _shared);
        Assert.That(start.WorkingDirectory, Is.EqualTo(_shared));
        Assert.That(start.ArgumentList.Take(2), Is.EqualTo(new[] { "-c", "current/envoy.json" }));
    }
}
