using System.Text.Json;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;

namespace Portico.Envoy.Tests;

/// <summary>
/// The helpers every string in an Envoy template goes through: each returns a whole JSON string literal (quotes
/// included) that parses back to the value, or refuses (the render fails and the last good config stays).
/// </summary>
public sealed class EnvoyEscapingTests
{
    [TestCase("plain", "\"plain\"")]
    [TestCase("a\"b", "\"a\\\"b\"")]
    [TestCase("a\\b", "\"a\\\\b\"")]
    [TestCase("\"],\"x\":[\"", "\"\\\"],\\\"x\\\":[\\\"\"")]
    [TestCase("caf\u00e9", "\"caf\\u00e9\"")]
    [TestCase("a\u2028b", "\"a\\u2028b\"")]
    [TestCase("%REQ(:AUTHORITY)%", "\"%REQ(:AUTHORITY)%\"")]
    public void Str_quotes_and_escapes_and_the_literal_parses_back(string value, string expected)
    {
        string literal = EnvoyEscaping.Str(value);
        Assert.That(literal, Is.EqualTo(expected));
        Assert.That(JsonSerializer.Deserialize<string>(literal), Is.EqualTo(value));
        Assert.That(literal.All(c => c is >= ' ' and <= '~'), Is.True, "printable ASCII only");
    }

    [TestCase("a\nb")]
    [TestCase("a\rb")]
    [TestCase("a\0b")]
    [TestCase("a\tb")]
    [TestCase("a\u0085b")]
    [TestCase("a\u007fb")]
    public void Str_refuses_control_characters(string value) => Assert.Throws<TemplateException>(() => EnvoyEscaping.Str(value));

    [TestCase("default_web_80")]
    [TestCase("current/certs/0123abcd.crt")]
    [TestCase("10.0.0.1")]
    [TestCase("fd00::1")]
    [TestCase("[fd00::1]")]
    [TestCase("OVERWRITE_IF_EXISTS_OR_ADD")]
    [TestCase("*")]
    public void Name_passes_safe_names(string value) => Assert.That(EnvoyEscaping.Name(value), Is.EqualTo($"\"{value}\""));

    [TestCase("")]
    [TestCase("a b")]
    [TestCase("a\"b")]
    [TestCase("a\\b")]
    [TestCase("../etc/passwd")]
    [TestCase("certs/..")]
    [TestCase("a,b")]
    [TestCase("a{b}")]
    [TestCase("%x%")]
    [TestCase("caf\u00e9")]
    public void Name_refuses_anything_else(string value) => Assert.Throws<TemplateException>(() => EnvoyEscaping.Name(value));

    [TestCase("a.example.com")]
    [TestCase("*.example.com")]
    [TestCase("*")]
    [TestCase("xn--caf-dma.example")]
    public void Domain_passes_dns_names_and_wildcards(string value) => Assert.That(EnvoyEscaping.Domain(value), Is.EqualTo($"\"{value}\""));

    [TestCase("A.example.com")]
    [TestCase("a.example.com.")]
    [TestCase("*.*.example.com")]
    [TestCase("a.*.example.com")]
    [TestCase("*example.com")]
    [TestCase("a..example")]
    [TestCase("a_b.example")]
    [TestCase("a.example:80")]
    [TestCase("")]
    public void Domain_refuses_anything_else(string value) => Assert.Throws<TemplateException>(() => EnvoyEscaping.Domain(value));

    [TestCase("/")]
    [TestCase("/api/v2")]
    [TestCase("/a-b_c.d~e!f&g(h)i*j+k,l=m:n@o")]
    public void Path_passes_request_paths(string value) => Assert.That(EnvoyEscaping.Path(value), Is.EqualTo($"\"{value}\""));

    [TestCase("")]
    [TestCase("api")]
    [TestCase("/a b")]
    [TestCase("/a\"")]
    [TestCase("/a\\b")]
    [TestCase("/a?b")]
    [TestCase("/a#b")]
    [TestCase("/a%2e")]
    [TestCase("/a$b")]
    [TestCase("/a;b")]
    [TestCase("/a\n")]
    public void Path_refuses_anything_else(string value) => Assert.Throws<TemplateException>(() => EnvoyEscaping.Path(value));

    [Test]
    public void The_authority_regex_of_a_wildcard_is_one_label_with_an_optional_port()
    {
        Assert.That(EnvoyEscaping.AuthorityRegex("*.apps.example"), Is.EqualTo("\"(?i)^[^.]+\\\\.apps\\\\.example(:[0-9]+)?$\""));
        Assert.Throws<TemplateException>(() => EnvoyEscaping.AuthorityRegex("apps.example"));
        Assert.Throws<TemplateException>(() => EnvoyEscaping.AuthorityRegex("*.apps.example\"x"));
        Assert.Throws<TemplateException>(() => EnvoyEscaping.AuthorityRegex("*.a(b).example"));
    }
}
