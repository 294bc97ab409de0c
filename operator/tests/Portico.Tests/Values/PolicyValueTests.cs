using Portico.Core.Values;

namespace Portico.Tests.Values;

/// <summary>The typed values policies and annotations are parsed into: what each accepts, its canonical form, and the hostile inputs each refuses.</summary>
public sealed class PolicyValueTests
{
    private static readonly string[] Hostile = ["", "a\r\nb", "a\nb", "a;b", "a{b", "a}b", "a\"b", "a$b", "a#b", "a\0b", "a\u2028b", "a\u0085b", "a b\\", new string('a', 5000)];

    [TestCase("10.0.0.0/8", "10.0.0.0/8")]
    [TestCase("192.168.1.7", "192.168.1.7/32")]
    [TestCase("0.0.0.0/0", "0.0.0.0/0")]
    [TestCase("fd00::/8", "fd00::/8")]
    [TestCase("2001:DB8::1", "2001:db8::1/128")]
    [TestCase("::/0", "::/0")]
    public void Networks_parse_to_their_canonical_form(string text, string expected)
    {
        Assert.That(IpNetworkValue.TryParse(text, out var network, out string error), Is.True, error);
        Assert.That(network.ToString(), Is.EqualTo(expected));
    }

    [TestCase("010.0.0.1", Description = "octal")]
    [TestCase("10.1", Description = "short form")]
    [TestCase("0x0a.0.0.1", Description = "hex")]
    [TestCase("167772161", Description = "one number")]
    [TestCase("10.0.0.1/8", Description = "bits past the prefix")]
    [TestCase("10.0.0.0/33")]
    [TestCase("10.0.0.0/08")]
    [TestCase("10.0.0.0/")]
    [TestCase("10.0.0.0/-1")]
    [TestCase("256.0.0.1")]
    [TestCase("fe80::1%eth0", Description = "zone id")]
    [TestCase("::ffff:10.0.0.1", Description = "mapped IPv4 text")]
    [TestCase(" 10.0.0.1")]
    [TestCase("10.0.0.1 ")]
    [TestCase("10.0.0.0/8;")]
    public void Networks_refuse_lenient_and_ambiguous_forms(string text)
    {
        Assert.That(IpNetworkValue.TryParse(text, out _, out string error), Is.False);
        Assert.That(error, Is.Not.Empty);
    }

    [TestCase("X-Request-Id", "x-request-id")]
    [TestCase("x_custom.v1", "x_custom.v1")]
    public void Header_names_are_tokens_kept_in_lowercase(string text, string expected)
    {
        Assert.That(HeaderNameValue.TryParse(text, out string name), Is.True);
        Assert.That(name, Is.EqualTo(expected));
    }

    [TestCase("X Header")]
    [TestCase("X:Header")]
    [TestCase("X(Header)")]
    [TestCase("Ümlaut")]
    [TestCase("x-$host", Description = "a token, but nginx would read a variable")]
    [TestCase("x#y", Description = "a token, refused all the same")]
    [TestCase("-x")]
    public void Header_names_refuse_what_is_not_a_token(string text) => Assert.That(HeaderNameValue.TryParse(text, out _), Is.False);

    [Test]
    public void Header_names_refuse_every_hostile_input() =>
        Assert.That(Hostile.Where(h => HeaderNameValue.TryParse(h, out _)), Is.Empty);

    [TestCase("text/plain; charset=utf-8")]
    [TestCase("max-age=31536000; includeSubDomains")]
    [TestCase("")]
    [TestCase("a")]
    public void Header_values_accept_printable_ASCII(string text) => Assert.That(HeaderValueText.IsValid(text), Is.True);

    [TestCase("a\r\nSet-Cookie: x=1")]
    [TestCase("a\tb")]
    [TestCase(" leading")]
    [TestCase("trailing ")]
    [TestCase("caf\u00e9")]
    [TestCase("a\u2028b")]
    [TestCase("a\0")]
    public void Header_values_refuse_control_characters_edges_and_non_ASCII(string text) => Assert.That(HeaderValueText.IsValid(text), Is.False);

    [TestCase("500ms", 500)]
    [TestCase("30s", 30_000)]
    [TestCase("1m30s", 90_000)]
    [TestCase("1h", 3_600_000)]
    [TestCase("1h2m3s4ms", 3_723_004)]
    public void Gateway_durations_parse(string text, long milliseconds)
    {
        Assert.That(GatewayDurationValue.TryParse(text, out var value), Is.True);
        Assert.That(value.TotalMilliseconds, Is.EqualTo(milliseconds));
    }

    [TestCase("1.5s")]
    [TestCase("-1s")]
    [TestCase("1d")]
    [TestCase("100000s")]
    [TestCase("1h1h1h1h1h")]
    [TestCase("s")]
    [TestCase("1 s")]
    [TestCase("1S")]
    public void Gateway_durations_refuse_other_forms(string text) => Assert.That(GatewayDurationValue.TryParse(text, out _), Is.False);

    [TestCase("https://app.example.com", "https://app.example.com")]
    [TestCase("HTTPS://App.Example.com:443", null, Description = "the scheme must be lowercase")]
    [TestCase("https://App.Example.com:443", "https://app.example.com")]
    [TestCase("http://localhost:8080", "http://localhost:8080")]
    [TestCase("https://*.example.com", "https://*.example.com")]
    [TestCase("http://10.0.0.1", "http://10.0.0.1")]
    [TestCase("http://[fd00::1]:81", "http://[fd00::1]:81")]
    [TestCase("*", "*")]
    [TestCase("https://*.com", null)]
    [TestCase("https://app.example.com/", null)]
    [TestCase("https://user@app.example.com", null)]
    [TestCase("ftp://app.example.com", null)]
    [TestCase("https://app.example.com:0", null)]
    [TestCase("https://app.example.com:080", null)]
    [TestCase("https://app.example.com:99999", null)]
    [TestCase("https://app_example.com", null)]
    [TestCase("https://app.example.com\r\n", null)]
    [TestCase("null", null)]
    public void Origins_are_scheme_host_and_port_only(string text, string? expected)
    {
        bool ok = OriginValue.TryParse(text, out string origin);
        Assert.That(ok ? origin : null, Is.EqualTo(expected));
    }

    [TestCase("http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth", false, true)]
    [TestCase("https://auth.example.com/oauth2/start?rd=/app", true, true)]
    [TestCase("https://auth.example.com/oauth2/start?rd=/app", false, false)]
    [TestCase("https://10.0.0.1/x", false, true)]
    [TestCase("https://auth.example.com/$request_uri", false, false)]
    [TestCase("https://auth.example.com/a;b", false, false)]
    [TestCase("https://auth.example.com/a b", false, false)]
    [TestCase("https://auth.example.com/a\"b", false, false)]
    [TestCase("https://auth.example.com/a{b}", false, false)]
    [TestCase("https://auth.example.com/#frag", false, false)]
    [TestCase("https://user:pw@auth.example.com/", false, false)]
    [TestCase("https://auth.example.com:70000/", false, false)]
    [TestCase("file:///etc/passwd", false, false)]
    [TestCase("//auth.example.com/", false, false)]
    [TestCase("https://auth.example.com/%0d%0a", false, true, Description = "percent-escapes stay escaped text")]
    [TestCase("https://auth.example.com/%zz", false, false)]
    public void URLs_are_absolute_http_without_anything_that_could_end_a_directive(string text, bool allowQuery, bool accepted)
    {
        Assert.That(HttpUrlValue.TryParse(text, allowQuery, out var url), Is.EqualTo(accepted));
        if (accepted)
        {
            Assert.That(url.Scheme, Is.AnyOf("http", "https"));
        }
    }

    [Test]
    public void Origins_and_URLs_refuse_every_hostile_input()
    {
        Assert.That(Hostile.Where(h => h.Length > 0 && OriginValue.TryParse("https://a.example.com" + h, out _)), Is.Empty);
        Assert.That(Hostile.Where(h => h.Length > 0 && HttpUrlValue.TryParse("https://a.example.com/" + h, allowQuery: true, out _)), Is.Empty);
    }

    [TestCase("/api(/|$)(.*)", "/api/users", true)]
    [TestCase("/api(/|$)(.*)", "/apiary", false)]
    [TestCase("^/v[0-9]+/items/[^/]+$", "/v2/items/abc", true)]
    [TestCase("/foo/.*", "/foo/bar", true)]
    [TestCase("/(?:a|b){2,3}\\.txt", "/aba.txt", true)]
    [TestCase("/static/.+?\\.(css|js)", "/static/x.js", true)]
    [TestCase("/\\d{4}/\\w+", "/2026/news", true)]
    public void Path_patterns_of_the_dialect_are_accepted_and_match(string pattern, string path, bool matches)
    {
        Assert.That(PathRegexValue.TryParse(pattern, out var regex, out string error), Is.True, error);
        Assert.That(regex.IsMatch(path), Is.EqualTo(matches));
    }

    [TestCase("/(a)\\1", "escape")]
    [TestCase("/(?=a)", "look-arounds")]
    [TestCase("/(?<name>a)", "look-arounds")]
    [TestCase("/(?i)a", "look-arounds")]
    [TestCase("/a++", "possessive")]
    [TestCase("/\\p{L}", "escape")]
    [TestCase("/\\x41", "escape")]
    [TestCase("/a{1001}", "at most 1000")]
    [TestCase("/a{3,2}", "in order")]
    [TestCase("/a{x}", "repeat")]
    [TestCase("*a", "repeats nothing")]
    [TestCase("/(*a)", "repeats nothing")]
    [TestCase("/(a", "never closed")]
    [TestCase("/a)", "without")]
    [TestCase("/[a", "never closed")]
    [TestCase("/[[:alpha:]]", "POSIX")]
    [TestCase("/a b", "not accepted")]
    [TestCase("/a;b", "not accepted")]
    [TestCase("/a\"b", "not accepted")]
    [TestCase("/a#b", "not accepted")]
    [TestCase("/a\nb", "not accepted")]
    [TestCase("/a\u2028", "not accepted")]
    [TestCase("/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)", "capture groups")]
    public void Path_patterns_outside_the_dialect_are_refused_with_a_reason(string pattern, string reason)
    {
        Assert.That(PathRegexValue.TryParse(pattern, out _, out string error), Is.False);
        Assert.That(error, Does.Contain(reason));
    }

    [Test]
    public void Path_patterns_are_bounded_in_length()
    {
        Assert.That(PathRegexValue.TryParse("/" + new string('a', 255), out _, out _), Is.True);
        Assert.That(PathRegexValue.TryParse("/" + new string('a', 256), out _, out string error), Is.False);
        Assert.That(error, Does.Contain("256"));
    }
}
