using k8s.Models;
using Portico.Core.Building;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Building;

public sealed class BackendTests : BuilderTestBase
{
    private static readonly V1Ingress ToWeb80 = Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80);

    private static string[] Endpoints(ProxyModel model, string upstream = "default_web_80") =>
        [.. model.Upstreams.Single(u => u.Name == upstream).Endpoints.Select(e => e.HostPort)];

    [Test]
    public void Upstream_names_are_the_same_string_from_build_to_build_and_long_ones_are_whole()
    {
        var first = BackendResolver.UpstreamName(new("team-a", "web"), 8080);
        var again = BackendResolver.UpstreamName(new("team-a", "web"), 8080);
        string longName = new('s', 253);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("team-a_web_8080"));
            Assert.That(again, Is.SameAs(first));
            Assert.That(BackendResolver.UpstreamName(new("team-b", "web"), 8080), Is.EqualTo("team-b_web_8080"));
            Assert.That(BackendResolver.UpstreamName(new("team-a", longName), 65535), Is.EqualTo($"team-a_{longName}_65535"));
        });
    }

    [Test]
    public void A_numbered_port_resolves_through_the_slice_whose_port_name_matches_the_service_port()
    {
        var service = Kube.Service("web", "default", ("http", 80), ("admin", 9000));
        var httpSlice = Kube.Slice("web", "http", 8080, ["10.0.0.1", "10.0.0.2"], name: "web-1");
        var adminSlice = Kube.Slice("web", "admin", 9999, ["10.0.0.9"], name: "web-2");
        var model = Build(ToWeb80, service, httpSlice, adminSlice);
        Assert.That(Endpoints(model), Is.EqualTo(new[] { "10.0.0.1:8080", "10.0.0.2:8080" }));
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> default_web_80" }));
    }

    [Test]
    public void A_named_port_resolves_to_the_service_port_of_that_name()
    {
        var ingress = Kube.Ingress("a").WithNamedPortPath("a.test", "/", "Prefix", "web", "admin");
        var service = Kube.Service("web", "default", ("http", 80), ("admin", 9000));
        var model = Build(ingress, service, Kube.Slice("web", "http", 8080, ["10.0.0.1"], name: "s1"), Kube.Slice("web", "admin", 9999, ["10.0.0.9"], name: "s2"));
        Assert.That(Endpoints(model, "default_web_9000"), Is.EqualTo(new[] { "10.0.0.9:9999" }));
    }

    [Test]
    public void Endpoints_are_the_ready_ones_of_every_slice_deduplicated_and_sorted()
    {
        var first = Kube.Slice("web", null, 8080, ["10.0.0.3", "10.0.0.1"], name: "web-a", notReady: ["10.0.0.7"]);
        var second = Kube.Slice("web", null, 8080, ["10.0.0.1", "10.0.0.2"], name: "web-b");
        var unknownReadiness = Kube.Slice("web", null, 8080, ["10.0.0.5"], name: "web-c");
        unknownReadiness.Endpoints[0].Conditions = null;
        var fqdn = Kube.Slice("web", null, 8080, ["example.com"], name: "web-d", addressType: "FQDN");
        var model = Build(ToWeb80, Kube.Service("web"), first, second, unknownReadiness, fqdn);
        Assert.That(Endpoints(model), Is.EqualTo(new[] { "10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080", "10.0.0.5:8080" }));
        Assert.That(Messages(model), Is.EqualTo(new[] { "warning: EndpointSlice default/web-d: addressType: \"FQDN\" endpoints are not supported (only IPv4 and IPv6); the slice is ignored" }), "an FQDN slice is named, not dropped silently");
    }

    [Test]
    public void IPv6_endpoints_are_bracketed_and_sorted_after_IPv4()
    {
        var v6 = Kube.Slice("web", null, 8080, ["fd00::2", "fd00::1"], name: "web-v6", addressType: "IPv6");
        var model = Build(ToWeb80, Kube.Service("web"), v6, Kube.Slice("web", null, 8080, ["10.0.0.1"], name: "web-v4"));
        Assert.That(Endpoints(model), Is.EqualTo(new[] { "10.0.0.1:8080", "[fd00::1]:8080", "[fd00::2]:8080" }));
    }

    [Test]
    public void A_service_without_ready_endpoints_keeps_its_upstream_empty()
    {
        var model = Build(ToWeb80, Kube.Service("web"), Kube.Slice("web", null, 8080, [], notReady: ["10.0.0.1"]));
        Assert.That(Endpoints(model), Is.Empty);
        Assert.That(model.Diagnostics, Is.Empty, "pods not being ready is not a configuration error");
    }

    [TestCase("127.0.0.1")]
    [TestCase("127.9.9.9")]
    [TestCase("::1")]
    [TestCase("169.254.169.254")]
    [TestCase("fe80::1")]
    [TestCase("0.0.0.0")]
    [TestCase("::")]
    public void Loopback_link_local_and_unspecified_endpoints_are_refused_unless_allowed(string address)
    {
        string type = address.Contains(':', StringComparison.Ordinal) ? "IPv6" : "IPv4";
        var slice = Kube.Slice("web", null, 8080, [address], addressType: type);
        var refused = Build(ToWeb80, Kube.Service("web"), slice);
        Assert.That(Endpoints(refused), Is.Empty);
        var diagnostic = refused.Diagnostics.Single();
        Assert.That(diagnostic.Target.Kind, Is.EqualTo("EndpointSlice"));
        Assert.That(diagnostic.Field, Is.EqualTo("endpoints[0].addresses[0]"));
        Assert.That(diagnostic.Message, Does.Contain("--allow-loopback-endpoints"));

        var allowed = Build(new BuildOptions { AllowLoopbackEndpoints = true }, ToWeb80, Kube.Service("web"), slice);
        Assert.That(Endpoints(allowed), Has.Length.EqualTo(1));
    }

    // A slice's endpoints are kept per slice object between builds (ReadyEndpointReader): only under the same options,
    // and never when reading it said something, so its warnings come with every build.
    [Test]
    public void A_slice_read_again_gives_its_endpoints_under_the_same_options_and_its_warnings_every_time()
    {
        var loopback = Kube.Slice("web", null, 8080, ["127.0.0.1"]);
        var allowed = new BuildOptions { AllowLoopbackEndpoints = true };
        Assert.That(Endpoints(Build(allowed, ToWeb80, Kube.Service("web"), loopback)), Is.EqualTo(new[] { "127.0.0.1:8080" }));
        Assert.That(Endpoints(Build(allowed, ToWeb80, Kube.Service("web"), loopback)), Is.EqualTo(new[] { "127.0.0.1:8080" }));
        var refused = Build(ToWeb80, Kube.Service("web"), loopback);
        Assert.That((Endpoints(refused).Length, refused.Diagnostics.Length), Is.EqualTo((0, 1)), "the same slice under other options is read again");
        var again = Build(ToWeb80, Kube.Service("web"), loopback);
        Assert.That((Endpoints(again).Length, again.Diagnostics.Length), Is.EqualTo((0, 1)), "and says its warning again");
    }

    [TestCase("224.0.0.1")]
    [TestCase("255.255.255.255")]
    [TestCase("ff02::1")]
    [TestCase("10.0.0.1; rm -rf /")]
    [TestCase("10.0.0.1\n")]
    [TestCase("not-an-ip")]
    [TestCase("10.0.0.256")]
    [TestCase("fe80::1%eth0")]
    public void Multicast_broadcast_and_non_addresses_are_always_refused(string address)
    {
        var slice = Kube.Slice("web", null, 8080, [address, "10.0.0.1"], addressType: address.Contains(':', StringComparison.Ordinal) ? "IPv6" : "IPv4");
        var model = Build(new BuildOptions { AllowLoopbackEndpoints = true }, ToWeb80, Kube.Service("web"), slice);
        Assert.That(Endpoints(model), Is.EqualTo(new[] { "10.0.0.1:8080" }));
        Assert.That(model.Diagnostics.Single().Severity, Is.EqualTo(Severity.Warning));
    }

    [Test]
    public void A_missing_service_answers_503_with_a_warning()
    {
        var model = Build(ToWeb80);
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> status 503" }));
        var diagnostic = model.Diagnostics.Single();
        Assert.That(diagnostic.Severity, Is.EqualTo(Severity.Warning));
        Assert.That(diagnostic.Field, Is.EqualTo("spec.rules[0].http.paths[0].backend.service.name"));
        Assert.That(diagnostic.Message, Does.Contain("Service default/web not found"));
    }

    [Test]
    public void A_port_the_service_does_not_have_answers_503_with_a_warning()
    {
        var model = Build([Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 81), .. Web()]);
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> status 503" }));
        Assert.That(model.Diagnostics.Single().Field, Is.EqualTo("spec.rules[0].http.paths[0].backend.service.port"));
    }

    [TestCase("Web", 80, null, ".service.name")]
    [TestCase("web;x", 80, null, ".service.name")]
    [TestCase("1web", 80, null, ".service.name")]
    [TestCase("web\n", 80, null, ".service.name")]
    [TestCase("web", 0, null, ".service.port.number")]
    [TestCase("web", 65536, null, ".service.port.number")]
    [TestCase("web", null, "HTTP", ".service.port.name")]
    [TestCase("web", null, "h;ttp", ".service.port.name")]
    [TestCase("web", null, "1234", ".service.port.name")]
    [TestCase("web", null, "a--b", ".service.port.name")]
    [TestCase("web", null, "sixteen-chars-xx", ".service.port.name")]
    [TestCase("web", 80, "http", ".service.port")]
    [TestCase("web", null, null, ".service.port")]
    public void An_invalid_backend_drops_the_path_with_an_error(string service, int? number, string? portName, string fieldSuffix)
    {
        var backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Number = number, Name = portName } } };
        var model = Build([Kube.Ingress("a").WithPath("a.test", "/", "Prefix", backend), .. Web()]);
        Assert.That(HostOf(model, "a.test"), Is.Null, "the only path was dropped, so the host has no routes");
        var diagnostic = model.Diagnostics.Single();
        Assert.That(diagnostic.Severity, Is.EqualTo(Severity.Error));
        Assert.That(diagnostic.Field, Is.EqualTo("spec.rules[0].http.paths[0].backend" + fieldSuffix));
    }

    [Test]
    public void Resource_backends_are_refused()
    {
        var backend = new V1IngressBackend { Resource = new V1TypedLocalObjectReference { Kind = "StorageBucket", Name = "static" } };
        var model = Build(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", backend));
        Assert.That(model.Diagnostics.Single().Field, Is.EqualTo("spec.rules[0].http.paths[0].backend.resource"));
    }

    [Test]
    public void ExternalName_services_answer_503_unless_enabled()
    {
        var external = Kube.ExternalNameService("web", "api.example.net");
        var off = Build(ToWeb80, external);
        Assert.That(RoutesOf(off, "a.test"), Is.EqualTo(new[] { "Prefix / -> status 503" }));
        Assert.That(off.Diagnostics.Single().Message, Does.Contain("ExternalName"));

        var on = Build(new BuildOptions { EnableExternalNameServices = true }, ToWeb80, external);
        var upstream = on.Upstreams.Single();
        Assert.That((upstream.ExternalName, upstream.Port), Is.EqualTo(("api.example.net", 80)));
        Assert.That(on.Diagnostics, Is.Empty);
    }

    [TestCase("evil.com;\nlocation")]
    [TestCase("\u212Aelvin.example.net")]
    public void An_ExternalName_that_is_not_a_DNS_name_is_refused_even_when_enabled(string externalName)
    {
        var model = Build(new BuildOptions { EnableExternalNameServices = true }, ToWeb80, Kube.ExternalNameService("web", externalName));
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> status 503" }));
        Assert.That(model.Diagnostics.Single().Target.Kind, Is.EqualTo("Service"));
    }

    [Test]
    public void Services_are_looked_up_in_the_Ingress_namespace_only()
    {
        var model = Build([Kube.Ingress("a", ns: "team-a").WithPath("a.test", "/", "Prefix", "web", 80), .. Web(ns: "team-b")]);
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> status 503" }));
    }
}
