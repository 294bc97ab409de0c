using Portico.Core.Building;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Building;

public sealed class HostTests : BuilderTestBase
{
    [TestCase("app.example.com", HostKind.Exact, "app.example.com")]
    [TestCase("App.Example.COM", HostKind.Exact, "app.example.com")]
    [TestCase("*.example.com", HostKind.Wildcard, "*.example.com")]
    [TestCase("*.com", HostKind.Wildcard, "*.com")]
    [TestCase("localhost", HostKind.Exact, "localhost")]
    [TestCase("xn--bcher-kva.example", HostKind.Exact, "xn--bcher-kva.example")]
    [TestCase("", HostKind.Any, "")]
    [TestCase(null, HostKind.Any, "")]
    public void Parses_valid_hosts(string? raw, HostKind kind, string value)
    {
        Assert.That(HostParser.TryParse(raw, out var host, out string error), Is.True, error);
        Assert.That(host, Is.EqualTo(new HostPattern(kind, value)));
    }

    [TestCase("foo;bar.com")]
    [TestCase("foo.com;")]
    [TestCase("foo{.com")]
    [TestCase("foo}.com")]
    [TestCase("\"foo.com")]
    [TestCase("'foo.com")]
    [TestCase("foo#.com")]
    [TestCase("$host")]
    [TestCase("foo.com\r\nx: y")]
    [TestCase("foo.com\n")]
    [TestCase("foo\0.com")]
    [TestCase("foo\u2028.com")]
    [TestCase("foo\u00a0.com")]
    [TestCase("bücher.example")]
    [TestCase("\u212Aelvin.example")]
    [TestCase("\u0130stanbul.example")]
    [TestCase("*.\u212A.example")]
    [TestCase("foo bar.com")]
    [TestCase("foo\\.com")]
    [TestCase("..")]
    [TestCase("a..b.com")]
    [TestCase("../etc")]
    [TestCase("-a.com")]
    [TestCase("a-.com")]
    [TestCase("foo_bar.com")]
    [TestCase("foo.com.")]
    [TestCase("foo.com:8080")]
    [TestCase("*")]
    [TestCase("*.")]
    [TestCase("*foo.com")]
    [TestCase("foo.*.com")]
    [TestCase("*.*.com")]
    [TestCase("1.2.3.4")]
    [TestCase("*.1.2.3.4")]
    [TestCase("::1")]
    public void Refuses_hostile_and_invalid_hosts(string raw)
    {
        Assert.That(HostParser.TryParse(raw, out _, out string error), Is.False);
        Assert.That(error, Is.Not.Empty);
        Assert.That(error, Does.Not.Contain("\n").And.Not.Contain("\r").And.Not.Contain("\0"), "messages are one printable line");
    }

    [Test]
    public void Refuses_hosts_longer_than_253_characters_and_labels_longer_than_63()
    {
        string longHost = string.Join('.', Enumerable.Repeat(new string('a', 60), 5));
        Assert.That(HostParser.TryParse(longHost, out _, out _), Is.False);
        Assert.That(HostParser.TryParse(new string('a', 64) + ".com", out _, out _), Is.False);
        Assert.That(HostParser.TryParse(new string('a', 63) + ".com", out _, out _), Is.True);
    }

    [Test]
    public void A_rule_with_a_bad_host_is_dropped_with_a_diagnostic_and_the_rest_is_served()
    {
        var bad = Kube.Ingress("bad").WithPath("evil.com;\n}", "/", "Prefix", "web", 80).WithPath("ok.test", "/", "Prefix", "web", 80);
        var good = Kube.Ingress("good").WithPath("good.test", "/", "Prefix", "web", 80);
        var model = Build([bad, good, .. Web()]);
        Assert.That(HostOf(model, "ok.test"), Is.Not.Null);
        Assert.That(HostOf(model, "good.test"), Is.Not.Null);
        Assert.That(model.VirtualHosts.Select(v => v.Host.Value), Has.None.Contains("evil"));
        var diagnostic = model.Diagnostics.Single();
        Assert.That(diagnostic.Severity, Is.EqualTo(Severity.Error));
        Assert.That(diagnostic.Target, Is.EqualTo(new ObjectRef("Ingress", "default", "bad")));
        Assert.That(diagnostic.Field, Is.EqualTo("spec.rules[0].host"));
        Assert.That(diagnostic.ToString(), Does.Contain("\\u000A").And.Not.Contain("\n"));
    }

    [Test]
    public void Rules_without_host_go_to_the_any_host_and_the_any_host_always_exists()
    {
        var model = Build([Kube.Ingress("a").WithPath(null, "/x", "Prefix", "web", 80), .. Web()]);
        Assert.That(model.AnyHost.Routes.Select(r => r.Match.Path), Is.EqualTo(new[] { "/x" }));
        Assert.That(Build().AnyHost.Routes, Is.Empty);
    }

    [Test]
    public void Hosts_differing_only_in_case_are_one_host()
    {
        var model = Build([Kube.Ingress("a").WithPath("A.test", "/a", "Prefix", "web", 80).WithPath("a.TEST", "/b", "Prefix", "web", 80), .. Web()]);
        Assert.That(RoutesOf(model, "a.test"), Has.Count.EqualTo(2));
    }
}
