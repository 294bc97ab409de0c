using Portico.Core.Building;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Building;

public sealed class PathTests : BuilderTestBase
{
    [TestCase("/foo", "Exact", PathKind.Exact, "/foo")]
    [TestCase("/foo/", "Exact", PathKind.Exact, "/foo/")]
    [TestCase("/foo", "Prefix", PathKind.Prefix, "/foo")]
    [TestCase("/foo/", "Prefix", PathKind.Prefix, "/foo")]
    [TestCase("/", "Prefix", PathKind.Prefix, "/")]
    [TestCase("/", "Exact", PathKind.Exact, "/")]
    [TestCase("/foo", "ImplementationSpecific", PathKind.Prefix, "/foo")]
    [TestCase("", "ImplementationSpecific", PathKind.Prefix, "/")]
    [TestCase(null, "ImplementationSpecific", PathKind.Prefix, "/")]
    [TestCase("/a-b_c.d~e!f&g(h)i*j+k,l=m:n@o/p", "Prefix", PathKind.Prefix, "/a-b_c.d~e!f&g(h)i*j+k,l=m:n@o/p")]
    [TestCase("/CaSe", "Exact", PathKind.Exact, "/CaSe")]
    public void Parses_valid_paths(string? path, string type, PathKind kind, string canonical)
    {
        Assert.That(PathParser.TryParse(path, type, out var match, out _, out string error), Is.True, error);
        Assert.That(match, Is.EqualTo(new PathMatch(kind, canonical)));
    }

    [TestCase("/a;b")]
    [TestCase("/a{")]
    [TestCase("/a}")]
    [TestCase("/a\"b")]
    [TestCase("/a'b")]
    [TestCase("/a#b")]
    [TestCase("/a$b")]
    [TestCase("/a\\b")]
    [TestCase("/a\r\nb")]
    [TestCase("/a\nb")]
    [TestCase("/a\0b")]
    [TestCase("/a\tb")]
    [TestCase("/a b")]
    [TestCase("/a\u2028b")]
    [TestCase("/a\u00e9")]
    [TestCase("/a?b")]
    [TestCase("/a%2e%2e")]
    [TestCase("/a%20b")]
    [TestCase("/../etc/passwd")]
    [TestCase("/a/../b")]
    [TestCase("/a/./b")]
    [TestCase("/..")]
    [TestCase("//a")]
    [TestCase("/a//b")]
    [TestCase("a/b")]
    [TestCase("")]
    [TestCase("/a^b")]
    [TestCase("/a|b")]
    [TestCase("/a<b>")]
    [TestCase("/a`b")]
    public void Refuses_hostile_and_invalid_paths(string path)
    {
        foreach (string type in new[] { "Exact", "Prefix" })
        {
            Assert.That(PathParser.TryParse(path, type, out _, out string field, out string error), Is.False, $"{type} {path}");
            Assert.That(field, Is.EqualTo("path"));
            Assert.That(error, Does.Not.Contain("\n").And.Not.Contain("\r"));
        }
    }

    [Test]
    public void Refuses_paths_longer_than_the_limit()
    {
        Assert.That(PathParser.TryParse("/" + new string('a', PathParser.MaxPathLength), "Prefix", out _, out _, out _), Is.False);
        Assert.That(PathParser.TryParse("/" + new string('a', PathParser.MaxPathLength - 1), "Prefix", out _, out _, out _), Is.True);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("Regex")]
    [TestCase("prefix")]
    public void Refuses_missing_or_unknown_path_types(string? type)
    {
        Assert.That(PathParser.TryParse("/a", type, out _, out string field, out _), Is.False);
        Assert.That(field, Is.EqualTo("pathType"));
    }

    [Test]
    public void Routes_are_ordered_Exact_first_then_longest_prefix_whatever_the_manifest_order()
    {
        var ingress = Kube.Ingress("a")
            .WithPath("a.test", "/", "Prefix", "web", 80)
            .WithPath("a.test", "/a", "Prefix", "web", 80)
            .WithPath("a.test", "/a/b", "Prefix", "web", 80)
            .WithPath("a.test", "/zz", "Exact", "web", 80)
            .WithPath("a.test", "/a", "Exact", "web", 80);
        var model = Build([ingress, .. Web()]);
        Assert.That(HostOf(model, "a.test")!.Routes.Select(r => r.Match.ToString()), Is.EqualTo(new[]
        {
            "Exact /zz", "Exact /a", "Prefix /a/b", "Prefix /a", "Prefix /",
        }));
    }

    [Test]
    public void A_bad_path_is_dropped_with_a_diagnostic_naming_its_field_and_its_siblings_are_served()
    {
        var ingress = Kube.Ingress("a")
            .WithPath("a.test", "/ok", "Prefix", "web", 80)
            .WithPath("a.test", "/x;return 200 pwned", "Prefix", "web", 80)
            .WithPath("a.test", "/y", null, "web", 80);
        var model = Build([ingress, .. Web()]);
        Assert.That(HostOf(model, "a.test")!.Routes.Select(r => r.Match.Path), Is.EqualTo(new[] { "/ok" }));
        Assert.That(model.Diagnostics.Select(d => d.Field), Is.EqualTo(new[] { "spec.rules[0].http.paths[1].path", "spec.rules[0].http.paths[2].pathType" }));
        Assert.That(model.Diagnostics.All(d => d.Severity == Severity.Error));
    }

    [Test]
    public void A_regex_looking_ImplementationSpecific_path_is_served_literally_with_a_warning()
    {
        var model = Build([Kube.Ingress("re").WithPath("re.test", "/api/(.*)", "ImplementationSpecific", "web", 80), .. Web()]);

        var warning = model.Diagnostics.Single();
        Assert.That((warning.Severity, warning.Field), Is.EqualTo((Severity.Warning, "spec.rules[0].http.paths[0].path")));
        Assert.That(warning.Message, Does.Contain("regular expression"));
        Assert.That(model.VirtualHosts.Single(v => v.Host.Value == "re.test").Routes.Select(r => r.Match.Path), Is.EqualTo(new[] { "/api/(.*)" }));
    }
}
