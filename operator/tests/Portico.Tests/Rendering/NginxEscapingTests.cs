using Portico.Core.Rendering;
using Portico.Core.Rendering.Nginx;

namespace Portico.Tests.Rendering;

public sealed class NginxEscapingTests
{
    [TestCase("/foo", "\"/foo\"")]
    [TestCase("a\"b", "\"a\\\"b\"")]
    [TestCase("a\\b", "\"a\\\\b\"")]
    [TestCase("a;b{c}#d", "\"a;b{c}#d\"")]
    public void Str_quotes_and_escapes(string value, string expected) => Assert.That(NginxEscaping.Str(value), Is.EqualTo(expected));

    [TestCase("http_x_added", ", ", "a\"b;c", "\"${http_x_added}, a\\\"b;c\"")]
    [TestCase("http_x", "", "v", "\"${http_x}v\"")]
    public void StrAfterVariable_reads_the_variable_then_the_escaped_literal(string variable, string separator, string value, string expected) =>
        Assert.That(NginxEscaping.StrAfterVariable(variable, separator, value), Is.EqualTo(expected));

    [TestCase("http_x}", "v")]
    [TestCase("http x", "v")]
    [TestCase("Http_x", "v")]
    [TestCase("", "v")]
    [TestCase("http_x", "$host")]
    [TestCase("http_x", "a\nb")]
    public void StrAfterVariable_refuses_unsafe_names_and_values(string variable, string value) =>
        Assert.That(() => NginxEscaping.StrAfterVariable(variable, ", ", value), Throws.InstanceOf<TemplateException>());

    [TestCase("$host")]
    [TestCase("a\nb")]
    [TestCase("a\rb")]
    [TestCase("a\0b")]
    [TestCase("a\u2028b")]
    [TestCase("caf\u00e9")]
    public void Str_refuses_what_it_cannot_make_safe(string value) =>
        Assert.Throws<TemplateException>(() => NginxEscaping.Str(value));

    [TestCase("default_web_80")]
    [TestCase("10.0.0.1:8080")]
    [TestCase("[fd00::1]:8080")]
    [TestCase("certs/abc.key")]
    public void Token_passes_plain_words(string value) => Assert.That(NginxEscaping.Token(value), Is.EqualTo(value));

    [TestCase("a b")]
    [TestCase("a;b")]
    [TestCase("a\"b")]
    [TestCase("$x")]
    [TestCase("a\n")]
    [TestCase("")]
    public void Token_refuses_anything_else(string value) => Assert.Throws<TemplateException>(() => NginxEscaping.Token(value));

    [Test]
    public void Server_names_are_quoted_and_wildcards_become_one_label_regexes()
    {
        Assert.That(NginxEscaping.ServerName("a.example.com", wildcard: false), Is.EqualTo("\"a.example.com\""));
        Assert.That(NginxEscaping.ServerName("*.example.com", wildcard: true), Is.EqualTo("\"~^[^.]+\\.example\\.com$\""));
        Assert.Throws<TemplateException>(() => NginxEscaping.ServerName("a.com;", wildcard: false));
        Assert.Throws<TemplateException>(() => NginxEscaping.ServerName("a.com\n", wildcard: false));
        Assert.Throws<TemplateException>(() => NginxEscaping.ServerName("example.com", wildcard: true));
    }
}
