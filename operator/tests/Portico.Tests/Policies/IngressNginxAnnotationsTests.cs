using System.Net;
using Portico.Core.Building.Policies;
using Portico.Core.Model;
using Portico.Core.Model.Policies;
using Portico.TestSupport;

namespace Portico.Tests.Policies;

/// <summary>ingress-nginx annotations become the typed policy model; every refusal names its annotation, and access control fails closed.</summary>
public sealed class IngressNginxAnnotationsTests
{
    private const string P = IngressNginxAnnotations.Prefix;
    private static readonly ObjectRef Web = new("Ingress", "shop", "web");

    /// <summary>Parses the annotations (names without a "/" get the prefix); a later one replaces an earlier one of the same name.</summary>
    private static IngressNginxAnnotationResult Parse(params (string Name, string Value)[] annotations)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in annotations)
        {
            map[name.Contains('/', StringComparison.Ordinal) ? name : P + name] = value;
        }

        return IngressNginxAnnotations.Parse(map, Web);
    }

    private static string[] Fields(IngressNginxAnnotationResult result, Severity severity) =>
        [.. result.Diagnostics.Where(d => d.Severity == severity).Select(d => d.Field)];

    [Test]
    public void No_annotations_give_nothing()
    {
        foreach (var result in new[] { IngressNginxAnnotations.Parse(null, Web), Parse(), Parse(("kubernetes.io/ingress.class", "nginx"), ("cert-manager.io/cluster-issuer", "letsencrypt")) })
        {
            Assert.That(result.Policy, Is.Null);
            Assert.That(result.Routing.IsEmpty, Is.True);
            Assert.That(result.AccessDenied, Is.False);
            Assert.That(result.Diagnostics, Is.Empty, "other prefixes are ignored");
        }
    }

    // ---- table tests: accepted values ----

    [Test]
    public void Https_redirect_follows_ssl_redirect_and_force_ssl_redirect()
    {
        Assert.That(Parse(("force-ssl-redirect", "true")).Policy!.HttpsRedirect, Is.True);
        Assert.That(Parse(("ssl-redirect", "false")).Policy!.HttpsRedirect, Is.False);
        Assert.That(Parse(("ssl-redirect", "true")).Policy, Is.Null, "ssl-redirect true is the default: redirect when the Ingress has TLS");
        Assert.That(Parse(("ssl-redirect", "false"), ("force-ssl-redirect", "true")).Policy!.HttpsRedirect, Is.True, "force wins, as in ingress-nginx");
    }

    [TestCase("8m", 8L << 20)]
    [TestCase("8M", 8L << 20)]
    [TestCase("512k", 512L << 10)]
    [TestCase("1g", 1L << 30)]
    [TestCase("1048576", 1048576L)]
    [TestCase("0", 0L)]
    public void Proxy_body_size_is_nginx_size(string text, long bytes) =>
        Assert.That(Parse(("proxy-body-size", text)).Policy!.MaxRequestBodyBytes, Is.EqualTo(bytes));

    [Test]
    public void Timeouts_are_plain_seconds()
    {
        var result = Parse(("proxy-connect-timeout", "5"), ("proxy-read-timeout", "120"), ("proxy-send-timeout", "120"));
        Assert.That(result.Policy!.Timeouts, Is.EqualTo(new TimeoutRule(TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(120))));
        Assert.That(result.Diagnostics, Is.Empty);

        var differing = Parse(("proxy-read-timeout", "30"), ("proxy-send-timeout", "90"));
        Assert.That(differing.Policy!.Timeouts!.Idle, Is.EqualTo(TimeSpan.FromSeconds(90)));
        Assert.That(Fields(differing, Severity.Warning), Is.EqualTo(new[] { P + "proxy-send-timeout" }));
    }

    [Test]
    public void Cors_takes_ingress_nginx_defaults()
    {
        var cors = Parse(("enable-cors", "true")).Policy!.Cors!;
        Assert.That(cors.AllowOrigins, Is.EqualTo(new[] { "*" }));
        Assert.That(cors.AllowMethods, Is.EqualTo(new[] { "DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT" }));
        Assert.That(cors.AllowHeaders, Does.Contain("authorization").And.Contain("content-type").And.Contain("dnt"));
        Assert.That(cors.ExposeHeaders, Is.Empty);
        Assert.That(cors.AllowCredentials, Is.False, "credentials are never sent with the origin *");
        Assert.That(cors.MaxAge, Is.EqualTo(TimeSpan.FromSeconds(1728000)));
    }

    [Test]
    public void Cors_family_is_typed()
    {
        var result = Parse(
            ("enable-cors", "true"),
            ("cors-allow-origin", "https://App.example.com:443, http://*.example.org:8080"),
            ("cors-allow-methods", "put, GET"),
            ("cors-allow-headers", "X-Forwarded-For, X-app123-XPTO"),
            ("cors-expose-headers", "*, X-CustomResponseHeader"),
            ("cors-allow-credentials", "true"),
            ("cors-max-age", "600"));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Policy!.Cors, Is.EqualTo(new CorsRule(
            ["http://*.example.org:8080", "https://app.example.com"], ["GET", "PUT"], ["x-app123-xpto", "x-forwarded-for"], ["*", "x-customresponseheader"], true, TimeSpan.FromMinutes(10))));
    }

    [Test]
    public void Cors_annotations_without_enable_cors_are_warned_and_ignored()
    {
        var result = Parse(("cors-allow-origin", "https://a.example"));
        Assert.That(result.Policy, Is.Null);
        Assert.That(Fields(result, Severity.Warning), Is.EqualTo(new[] { P + "cors-allow-origin" }));
    }

    [Test]
    public void Source_ranges_become_the_ip_rule()
    {
        var result = Parse(("whitelist-source-range", "10.0.0.0/24, 172.10.0.1"), ("allowlist-source-range", "fd00::/8"), ("denylist-source-range", "10.0.0.128/25"));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.AccessDenied, Is.False);
        Assert.That(result.Policy!.IpAccess!.Allow.Select(n => n.ToString()), Is.EqualTo(new[] { "10.0.0.0/24", "172.10.0.1/32", "fd00::/8" }));
        Assert.That(result.Policy.IpAccess.Deny, Is.EqualTo(new[] { IPNetwork.Parse("10.0.0.128/25") }));
        Assert.That(result.Policy.CarriesAccessControl, Is.True);
    }

    [Test]
    public void Rate_and_connection_limits()
    {
        Assert.That(Parse(("limit-rps", "10")).Policy!.RateLimit, Is.EqualTo(new RateLimitRule(10, 50)), "burst = 5 x rps by default");
        Assert.That(Parse(("limit-rps", "10"), ("limit-burst-multiplier", "2")).Policy!.RateLimit, Is.EqualTo(new RateLimitRule(10, 20)));
        Assert.That(Parse(("limit-connections", "20")).Routing.LimitConnections, Is.EqualTo(20));
    }

    [Test]
    public void Basic_auth_names_a_secret_of_the_same_namespace()
    {
        var result = Parse(("auth-type", "basic"), ("auth-secret", "basic-auth"), ("auth-realm", "Authentication Required - foo"));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Policy!.BasicAuth, Is.EqualTo(new BasicAuthRule("basic-auth", "Authentication Required - foo")));
        Assert.That(result.Routing.BasicAuthFormat, Is.EqualTo(BasicAuthSecretFormat.AuthFile));

        var qualified = Parse(("auth-type", "basic"), ("auth-secret", "shop/users"), ("auth-secret-type", "auth-map"));
        Assert.That(qualified.Policy!.BasicAuth, Is.EqualTo(new BasicAuthRule("users", IngressNginxAnnotations.DefaultRealm)));
        Assert.That(qualified.Routing.BasicAuthFormat, Is.EqualTo(BasicAuthSecretFormat.AuthMap));
    }

    [Test]
    public void External_auth_maps_onto_the_external_auth_rule()
    {
        var result = Parse(
            ("auth-url", "http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth"),
            ("auth-signin", "https://auth.example.com/oauth2/start?rd=$escaped_request_uri"),
            ("auth-response-headers", "X-Auth-Request-User, X-Auth-Request-Email"));
        Assert.That(result.Diagnostics, Is.Empty);
        var auth = result.Policy!.ExternalAuth!;
        Assert.That(auth.Url, Is.EqualTo(new Uri("http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth")));
        Assert.That(auth.Service, Is.Null);
        Assert.That(auth.ForwardResponseHeaders, Is.EqualTo(new[] { "x-auth-request-email", "x-auth-request-user" }));
        Assert.That(auth.SigninUrl, Is.EqualTo(new Uri("https://auth.example.com/oauth2/start")), "the rd parameter naming the original request is Portico's to add");
    }

    [TestCase("HTTP", BackendProtocol.Http)]
    [TestCase("HTTPS", BackendProtocol.Https)]
    [TestCase("GRPC", BackendProtocol.Grpc)]
    [TestCase("grpcs", BackendProtocol.Grpcs)]
    public void Backend_protocol(string text, BackendProtocol protocol) =>
        Assert.That(Parse(("backend-protocol", text)).Routing.BackendProtocol, Is.EqualTo(protocol));

    [TestCase("$remote_addr", null, null)]
    [TestCase("$binary_remote_addr", null, null)]
    [TestCase("${remote_addr}", null, null)]
    [TestCase("$http_x_user_id", "x-user-id", null)]
    [TestCase("$cookie_session", null, "session")]
    public void Upstream_hash_by(string text, string? header, string? cookie) =>
        Assert.That(Parse(("upstream-hash-by", text)).Policy!.LoadBalancing, Is.EqualTo(new LoadBalancingRule(LoadBalancingAlgorithm.RequestHash, new HashSource(header, cookie))));

    [Test]
    public void Cookie_affinity()
    {
        Assert.That(Parse(("affinity", "cookie")).Policy!.SessionAffinity, Is.EqualTo(new AffinityRule("INGRESSCOOKIE", null)));
        Assert.That(Parse(("affinity", "cookie"), ("session-cookie-name", "route"), ("session-cookie-max-age", "172800"), ("session-cookie-expires", "3600")).Policy!.SessionAffinity,
            Is.EqualTo(new AffinityRule("route", TimeSpan.FromSeconds(172800))), "max-age wins over expires");
        Assert.That(Parse(("affinity", "cookie"), ("session-cookie-expires", "3600")).Policy!.SessionAffinity!.Ttl, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(Fields(Parse(("session-cookie-name", "route")), Severity.Warning), Is.EqualTo(new[] { P + "session-cookie-name" }));
    }

    [Test]
    public void Redirects()
    {
        Assert.That(Parse(("permanent-redirect", "https://www.example.com")).Routing.Redirect, Is.EqualTo(new RedirectTarget(new Uri("https://www.example.com"), 301)));
        Assert.That(Parse(("permanent-redirect", "https://www.example.com/x?y=1"), ("permanent-redirect-code", "308")).Routing.Redirect, Is.EqualTo(new RedirectTarget(new Uri("https://www.example.com/x?y=1"), 308)));
        Assert.That(Parse(("temporal-redirect", "https://www.example.com/maintenance")).Routing.Redirect!.StatusCode, Is.EqualTo(302));

        var both = Parse(("temporal-redirect", "https://t.example.com"), ("permanent-redirect", "https://p.example.com"));
        Assert.That(both.Routing.Redirect!.Url.Host, Is.EqualTo("t.example.com"));
        Assert.That(Fields(both, Severity.Warning), Is.EqualTo(new[] { P + "permanent-redirect" }));

        Assert.That(Parse(("app-root", "/app1")).Routing.AppRoot, Is.EqualTo("/app1"));
        Assert.That(Parse(("from-to-www-redirect", "true")).Routing.FromToWwwRedirect, Is.True);
    }

    [Test]
    public void Canary_family()
    {
        Assert.That(Parse(("canary", "true"), ("canary-weight", "40")).Routing.Canary, Is.EqualTo(new CanaryRule(40, 100, null, null, null)));
        Assert.That(Parse(("canary", "true"), ("canary-weight", "400"), ("canary-weight-total", "1000")).Routing.Canary, Is.EqualTo(new CanaryRule(400, 1000, null, null, null)));
        Assert.That(Parse(("canary", "true"), ("canary-by-header", "X-Canary"), ("canary-by-header-value", "us-east"), ("canary-by-cookie", "canary")).Routing.Canary,
            Is.EqualTo(new CanaryRule(0, 100, "x-canary", "us-east", "canary")));

        var notCanary = Parse(("canary-weight", "40"));
        Assert.That(notCanary.Routing.Canary, Is.Null);
        Assert.That(Fields(notCanary, Severity.Warning), Is.EqualTo(new[] { P + "canary-weight" }));
    }

    [Test]
    public void A_refused_canary_annotation_sends_the_canary_no_traffic()
    {
        var result = Parse(("canary", "true"), ("canary-weight", "101"));
        Assert.That(result.Routing.Canary, Is.EqualTo(new CanaryRule(0, 100, null, null, null)));
        Assert.That(Fields(result, Severity.Error), Is.EqualTo(new[] { P + "canary", P + "canary-weight" }));
    }

    [Test]
    public void Next_upstream()
    {
        Assert.That(Parse(("proxy-next-upstream", "error timeout http_502"), ("proxy-next-upstream-tries", "3"), ("proxy-next-upstream-timeout", "10")).Routing.NextUpstream,
            Is.EqualTo(new NextUpstreamRule([NextUpstreamCondition.Error, NextUpstreamCondition.Timeout, NextUpstreamCondition.Http502], 3, TimeSpan.FromSeconds(10))));
        Assert.That(Parse(("proxy-next-upstream", "off")).Routing.NextUpstream, Is.EqualTo(new NextUpstreamRule([], null, null)));
        Assert.That(Parse(("proxy-next-upstream-tries", "2")).Routing.NextUpstream, Is.EqualTo(new NextUpstreamRule(null, 2, null)));
    }

    [Test]
    public void Buffering()
    {
        var routing = Parse(("proxy-buffering", "on"), ("proxy-request-buffering", "off"), ("proxy-buffer-size", "16k")).Routing;
        Assert.That(routing.ProxyBuffering, Is.True);
        Assert.That(routing.ProxyRequestBuffering, Is.False);
        Assert.That(routing.ProxyBufferSizeBytes, Is.EqualTo(16 * 1024));
    }

    [Test]
    public void Rewrite_target_with_captures_turns_regex_paths_on()
    {
        var routing = Parse(("rewrite-target", "/$2")).Routing;
        Assert.That(routing.Rewrite!.Segments, Is.EqualTo(new[] { RewriteSegment.Text("/"), RewriteSegment.Capture(2) }));
        Assert.That(routing.UseRegex, Is.True, "as ingress-nginx does for a rewrite with captures");

        var plain = Parse(("rewrite-target", "/")).Routing;
        Assert.That(plain.Rewrite!.HighestGroup, Is.EqualTo(0));
        Assert.That(plain.UseRegex, Is.False);

        var mixed = Parse(("rewrite-target", "/api/$1/v2$3"), ("use-regex", "true")).Routing;
        Assert.That(mixed.Rewrite!.ToString(), Is.EqualTo("/api/$1/v2$3"));
        Assert.That(mixed.Rewrite.HighestGroup, Is.EqualTo(3));

        Assert.That(Parse(("use-regex", "true")).Routing, Is.EqualTo(IngressNginxRouting.None with { UseRegex = true }));
    }

    [TestCase("/something(/|$)(.*)", "/$2", true)]
    [TestCase("/api/v[0-9]+/(.*)", "/$1", true)]
    [TestCase("/(.*)", "/$2", false)]
    [TestCase("/(?=x)", null, false)]
    [TestCase("something", null, false)]
    [TestCase("/a{1,2000}", null, false)]
    public void Regex_paths_are_checked_against_the_dialect_and_the_rewrite(string path, string? rewrite, bool accepted)
    {
        RewriteTarget? target = rewrite is null ? null : Parse(("rewrite-target", rewrite)).Routing.Rewrite;
        Assert.That(IngressNginxAnnotations.TryParseRegexPath(path, target, out _, out string error), Is.EqualTo(accepted), error);
    }

    // ---- table tests: refused values, each naming its annotation ----

    [TestCase("ssl-redirect", "yes")]
    [TestCase("force-ssl-redirect", "on")]
    [TestCase("proxy-body-size", "8 MB")]
    [TestCase("proxy-body-size", "8Mi")]
    [TestCase("proxy-body-size", "2048g")]
    [TestCase("proxy-connect-timeout", "5s")]
    [TestCase("proxy-read-timeout", "0")]
    [TestCase("proxy-send-timeout", "-1")]
    [TestCase("proxy-read-timeout", "0120")]
    [TestCase("limit-rps", "0")]
    [TestCase("limit-rps", "1.5")]
    [TestCase("limit-connections", "many")]
    [TestCase("backend-protocol", "AJP")]
    [TestCase("backend-protocol", "FCGI")]
    [TestCase("upstream-hash-by", "$request_uri")]
    [TestCase("upstream-hash-by", "$remote_addr$host")]
    [TestCase("affinity", "ip")]
    [TestCase("permanent-redirect", "https://example.com$request_uri")]
    [TestCase("permanent-redirect", "javascript:alert(1)")]
    [TestCase("temporal-redirect", "//evil.example")]
    [TestCase("app-root", "app1")]
    [TestCase("app-root", "/app?x")]
    [TestCase("from-to-www-redirect", "sure")]
    [TestCase("proxy-next-upstream", "error off")]
    [TestCase("proxy-next-upstream", "error; deny all")]
    [TestCase("proxy-next-upstream-tries", "0")]
    [TestCase("proxy-buffering", "true")]
    [TestCase("proxy-request-buffering", "1")]
    [TestCase("proxy-buffer-size", "1g")]
    [TestCase("rewrite-target", "$1")]
    [TestCase("rewrite-target", "/$0")]
    [TestCase("rewrite-target", "/$host")]
    [TestCase("rewrite-target", "/a b")]
    [TestCase("rewrite-target", "/a?b=1")]
    [TestCase("use-regex", "yes")]
    public void A_refused_value_is_an_error_naming_the_annotation_and_is_not_used(string name, string value)
    {
        var result = Parse((name, value));
        Assert.That(Fields(result, Severity.Error), Does.Contain(P + name));
        Assert.That(result.Policy, Is.Null);
        Assert.That(result.Routing.IsEmpty, Is.True);
        Assert.That(result.AccessDenied, Is.False, "no access control was asked for");
    }

    [TestCase("permanent-redirect-code", "300")]
    [TestCase("permanent-redirect-code", "200")]
    [TestCase("temporal-redirect-code", "304")]
    public void A_refused_redirect_code_drops_the_redirect(string name, string value)
    {
        string url = name.StartsWith("permanent", StringComparison.Ordinal) ? "permanent-redirect" : "temporal-redirect";
        var result = Parse((url, "https://example.com"), (name, value));
        Assert.That(result.Routing.Redirect, Is.Null);
        Assert.That(Fields(result, Severity.Error), Does.Contain(P + name));
    }

    [TestCase("cors-allow-origin", "origin-site.com")]
    [TestCase("cors-allow-origin", "https://a.example/path")]
    [TestCase("cors-allow-origin", "https://a.example,")]
    [TestCase("cors-allow-methods", "GET, FETCH")]
    [TestCase("cors-allow-methods", "GE T")]
    [TestCase("cors-allow-headers", "X-Ok, X Bad")]
    [TestCase("cors-expose-headers", "X-Ok, $x")]
    [TestCase("cors-allow-credentials", "maybe")]
    [TestCase("cors-max-age", "1d")]
    public void A_refused_cors_annotation_sets_no_cors(string name, string value)
    {
        var result = Parse(("enable-cors", "true"), (name, value));
        Assert.That(result.Policy, Is.Null);
        Assert.That(Fields(result, Severity.Error), Is.EquivalentTo(new[] { P + name, P + "enable-cors" }));
    }

    [Test]
    public void Credentials_with_any_origin_are_refused() =>
        Assert.That(Fields(Parse(("enable-cors", "true"), ("cors-allow-credentials", "true")), Severity.Error), Does.Contain(P + "cors-allow-credentials"));

    // ---- fail closed ----

    [TestCase("whitelist-source-range", "10.0.0.0/8, 010.1.1.1")]
    [TestCase("whitelist-source-range", "10.1")]
    [TestCase("allowlist-source-range", "10.0.0.1/8")]
    [TestCase("allowlist-source-range", "0x0a000001")]
    [TestCase("allowlist-source-range", "")]
    [TestCase("allowlist-source-range", "10.0.0.0/8,,192.168.0.0/16")]
    [TestCase("denylist-source-range", "1.2.3.4/33")]
    [TestCase("denylist-source-range", "fe80::1%eth0")]
    public void A_refused_ip_list_denies(string name, string value)
    {
        var result = Parse((name, value));
        Assert.That(result.AccessDenied, Is.True);
        Assert.That(result.DenyReasons.Single(), Does.StartWith(P + name + ":"));
        Assert.That(Fields(result, Severity.Error), Does.Contain(P + name));
        Assert.That(result.Policy?.IpAccess, Is.Null, "no partial list");
    }

    [TestCase("digest")]
    [TestCase("Basic")]
    [TestCase("jwt")]
    [TestCase("")]
    public void An_auth_type_other_than_basic_denies(string type)
    {
        var result = Parse(("auth-type", type), ("auth-secret", "users"));
        Assert.That(result.AccessDenied, Is.True);
        Assert.That(Fields(result, Severity.Error), Does.Contain(P + "auth-type"));
    }

    [TestCase("auth-secret", "other/users")]
    [TestCase("auth-secret", "kube-system/admin")]
    [TestCase("auth-secret", "../users")]
    [TestCase("auth-secret", "shop/users/x")]
    [TestCase("auth-secret-type", "auth-ldap")]
    [TestCase("auth-realm", "Realm\"; auth_basic off; #")]
    public void A_refused_basic_auth_annotation_denies(string name, string value)
    {
        var result = Parse(("auth-type", "basic"), ("auth-secret", "users"), (name, value));
        Assert.That(result.AccessDenied, Is.True);
        Assert.That(Fields(result, Severity.Error), Does.Contain(P + name));
        Assert.That(result.Policy?.BasicAuth, Is.Null);
    }

    [Test]
    public void Basic_auth_without_a_secret_denies() =>
        Assert.That(Parse(("auth-type", "basic")).AccessDenied, Is.True);

    [Test]
    public void Auth_secret_without_auth_type_is_warned_not_enforced_as_in_ingress_nginx()
    {
        var result = Parse(("auth-secret", "users"));
        Assert.That(result.AccessDenied, Is.False);
        Assert.That(Fields(result, Severity.Warning), Is.EqualTo(new[] { P + "auth-secret" }));
    }

    [TestCase("auth-url", "https://$host/oauth2/auth")]
    [TestCase("auth-url", "http://auth.example/check?x=1")]
    [TestCase("auth-url", "ftp://auth.example/")]
    [TestCase("auth-url", "http://user:pw@auth.example/")]
    [TestCase("auth-url", "not a url")]
    [TestCase("auth-url", "http://127.0.0.1:9901/")]
    [TestCase("auth-url", "http://localhost/auth")]
    [TestCase("auth-url", "http://169.254.169.254/latest/meta-data/")]
    [TestCase("auth-url", "http://[::1]/auth")]
    [TestCase("auth-url", "http://[::ffff:127.0.0.1]/auth")]
    [TestCase("auth-url", "http://0.0.0.0/auth")]
    [TestCase("auth-signin", "https://$host/oauth2/start?rd=$escaped_request_uri")]
    [TestCase("auth-signin", "javascript:alert(1)")]
    [TestCase("auth-response-headers", "X-User, X User")]
    [TestCase("auth-response-headers", "X-User,,X-Email")]
    public void A_refused_external_auth_annotation_denies(string name, string value)
    {
        var result = Parse(("auth-url", "http://auth.example/check"), (name, value));
        Assert.That(result.AccessDenied, Is.True);
        Assert.That(Fields(result, Severity.Error), Does.Contain(P + name));
        Assert.That(result.Policy?.ExternalAuth, Is.Null);
    }

    [TestCase("auth-tls-secret", "shop/ca")]
    [TestCase("auth-tls-verify-client", "on")]
    [TestCase("auth-tls-verify-depth", "1")]
    [TestCase("auth-tls-pass-certificate-to-upstream", "true")]
    [TestCase("auth-tls-match-cn", "CN=client")]
    public void Client_certificate_annotations_are_not_implemented_and_deny(string name, string value)
    {
        var result = Parse((name, value));
        Assert.That(result.AccessDenied, Is.True);
        Assert.That(Fields(result, Severity.Error), Is.EqualTo(new[] { P + name }));
    }

    [TestCase("ingress.kubernetes.io/whitelist-source-range", "10.0.0.0/8")]
    [TestCase("ingress.kubernetes.io/auth-type", "basic")]
    [TestCase("ingress.kubernetes.io/auth-url", "http://auth.example/")]
    [TestCase("ingress.kubernetes.io/auth-tls-secret", "shop/ca")]
    public void Access_control_under_the_legacy_prefix_denies(string key, string value)
    {
        var result = Parse((key, value));
        Assert.That(result.AccessDenied, Is.True);
        Assert.That(Fields(result, Severity.Error), Is.EqualTo(new[] { key }));
    }

    [Test]
    public void Other_legacy_annotations_are_warned_and_unknown_ones_ignored()
    {
        var result = Parse(("ingress.kubernetes.io/rewrite-target", "/"), ("ingress.kubernetes.io/something-else", "x"));
        Assert.That(result.Routing.IsEmpty, Is.True);
        Assert.That(result.AccessDenied, Is.False);
        Assert.That(Fields(result, Severity.Warning), Is.EqualTo(new[] { "ingress.kubernetes.io/rewrite-target" }));
    }

    [Test]
    public void An_allowed_list_next_to_a_refused_one_still_denies()
    {
        var result = Parse(("whitelist-source-range", "10.0.0.0/8"), ("denylist-source-range", "10.1.0.0/16;"), ("limit-rps", "5"));
        Assert.That(result.AccessDenied, Is.True);
        Assert.That(result.Policy!.RateLimit, Is.Not.Null, "other annotations still apply; the deny marker wins over them");
    }

    // ---- snippets ----

    [TestCase("configuration-snippet", "more_set_headers \"Request-Id: $req_id\";")]
    [TestCase("server-snippet", "if ($http_user_agent ~* Mobile) { return 301 https://m.example.com; }")]
    [TestCase("auth-snippet", "proxy_set_header Foo-Header 42;")]
    [TestCase("stream-snippet", "server { listen 8000; proxy_pass 127.0.0.1:80; }")]
    [TestCase("modsecurity-snippet", "SecRuleEngine On")]
    [TestCase("location-snippet", "x")]
    [TestCase("server-snippets", "x")]
    public void Snippets_are_refused_with_the_reason(string name, string value)
    {
        var result = Parse((name, value));
        var error = result.Diagnostics.Single();
        Assert.That(error.Severity, Is.EqualTo(Severity.Error));
        Assert.That(error.Field, Is.EqualTo(P + name));
        Assert.That(error.Message, Does.Contain("raw text").And.Contain("no setting turns them on"));
        Assert.That(result.AccessDenied, Is.False);
    }

    [Test]
    public void The_ingress_nginx_switch_for_snippets_turns_nothing_on()
    {
        var result = Parse(("allow-snippet-annotations", "true"), ("configuration-snippet", "more_set_headers \"X: y\";"));
        Assert.That(Fields(result, Severity.Error), Is.EqualTo(new[] { P + "allow-snippet-annotations", P + "configuration-snippet" }));
    }

    [TestCase("server-snippet", "location /actuator { deny all; return 403; }")]
    [TestCase("configuration-snippet", "allow 10.0.0.0/8;\ndeny all;")]
    [TestCase("configuration-snippet", "auth_basic \"x\"; auth_basic_user_file /etc/htpasswd;")]
    [TestCase("server-snippet", "if ($arg_key != secret) { return 401; }")]
    public void A_snippet_that_controls_access_denies(string name, string value)
    {
        var result = Parse((name, value));
        Assert.That(result.AccessDenied, Is.True, "what the snippet protected is not served openly");
        Assert.That(Fields(result, Severity.Error), Is.EqualTo(new[] { P + name }));
    }

    // ---- unknown annotations ----

    [Test]
    public void Unknown_annotations_are_warned_by_name_and_sorted()
    {
        var result = Parse(("x-forwarded-prefix", "/p"), ("enable-modsecurity", "true"), ("limit-rpm", "100"), ("satisfy", "any"), ("canary-by-header-pattern", "^x"), ("affinity-mode", "persistent"));
        string[] expected = [.. new[] { "affinity-mode", "canary-by-header-pattern", "enable-modsecurity", "limit-rpm", "satisfy", "x-forwarded-prefix" }.Select(n => P + n)];
        Assert.That(result.Diagnostics.Select(d => d.Field), Is.EqualTo(expected));
        Assert.That(result.Diagnostics.All(d => d.Severity == Severity.Warning && d.Message.Contains("not implemented", StringComparison.Ordinal)), Is.True);
        Assert.That(result.Diagnostics.All(d => d.Target == Web), Is.True);
    }

    [Test]
    public void A_hostile_unknown_key_is_shown_escaped()
    {
        var result = IngressNginxAnnotations.Parse(new Dictionary<string, string> { [P + "x\r\ny"] = "v" }, Web);
        Assert.That(result.Diagnostics.Single().Field, Does.Not.Contain("\n").And.Not.Contain("\r"));
    }

    [Test]
    public void Diagnostics_are_deterministic_and_sorted()
    {
        (string, string)[] annotations = [("server-snippet", "x"), ("proxy-body-size", "x"), ("whitelist-source-range", "x"), ("zzz", "1"), ("app-root", "x"), ("limit-rps", "x")];
        var first = Parse(annotations);
        var second = Parse([.. annotations.Reverse()]);
        Assert.That(second, Is.EqualTo(first), "the order of the dictionary does not matter; results compare by value");
        Assert.That(first.Diagnostics, Is.Ordered);
    }

    // ---- hostile input sweep ----

    private static readonly string[] Hostile =
    [
        "a\r\nb", "a\nb", "a;b", "a{b", "a}b", "a\"b", "a'b", "a$b", "a#b", "a\0b", "a\u2028b", "a\u0085b", "a\\b", "a b",
        "1\n", "\n1", "true\n", "on;", "10.0.0.0/8\n", "012.1.1.1", "/a\"; deny all; #", "$remote_addr;", new string('1', 5000),
    ];

    /// <summary>For every supported annotation, with the context that makes it read, a value that is valid but for the hostile part.</summary>
    public static IEnumerable<TestCaseData> SupportedAnnotations()
    {
        var context = Portico.TestSupport.IngressNginxAnnotationContext.Needed;
        foreach (string name in IngressNginxAnnotations.Supported)
        {
            yield return new TestCaseData(name, context.GetValueOrDefault(name) ?? []).SetName($"Hostile values are refused at {name}");
        }
    }

    [TestCaseSource(nameof(SupportedAnnotations))]
    public void Hostile_values_are_refused_naming_the_annotation(string name, (string, string)[] context)
    {
        bool accessControl = name.StartsWith("auth-", StringComparison.Ordinal) || name.EndsWith("-source-range", StringComparison.Ordinal);

        // Values a grammar legitimately allows: "012.1.1.1" is a valid header, cookie or Secret name (only IP lists read it
        // as an address), a realm may hold spaces, and a header value to match may hold ";", "#", quotes and braces.
        string[] names = ["auth-response-headers", "canary-by-header", "cors-allow-headers", "cors-expose-headers", "canary-by-cookie", "session-cookie-name", "auth-secret"];
        var hostile = name switch
        {
            "auth-realm" => Hostile.Where(h => h is not ("a b" or "012.1.1.1")),
            "canary-by-header-value" => Hostile.Where(h => h.Any(char.IsControl) || h.Contains('$', StringComparison.Ordinal) || h.Length > 4096 || h.Any(c => c > '\x7e')),
            _ when names.Contains(name) => Hostile.Where(h => h != "012.1.1.1"),
            _ => Hostile,
        };
        foreach (string value in hostile)
        {
            var result = Parse([.. context, (name, value)]);
            string shown = Printable.Quote(value);
            Assert.That(Fields(result, Severity.Error), Does.Contain(P + name), $"{shown} at {name}");
            if (accessControl)
            {
                Assert.That(result.AccessDenied, Is.True, $"{shown} at {name} must fail closed");
            }

            foreach (var diagnostic in result.Diagnostics)
            {
                Assert.That(diagnostic.Message.Any(c => char.IsControl(c) || c is '\u2028' or '\u0085'), Is.False, "messages are one printable line");
                Assert.That(diagnostic.Message.Length, Is.LessThan(2000), "values are shown cut short");
            }

            foreach (string text in Strings(result))
            {
                Assert.That(text.Contains(value, StringComparison.Ordinal) && value.Length > 1, Is.False, $"{shown} at {name} reached the output as {Printable.Quote(text)}");
            }
        }
    }

    /// <summary>Every string the typed output holds.</summary>
    private static IEnumerable<string> Strings(IngressNginxAnnotationResult result)
    {
        var policy = result.Policy;
        var routing = result.Routing;
        IEnumerable<string?> all =
        [
            .. policy?.Cors?.AllowOrigins ?? [], .. policy?.Cors?.AllowMethods ?? [], .. policy?.Cors?.AllowHeaders ?? [], .. policy?.Cors?.ExposeHeaders ?? [],
            policy?.BasicAuth?.SecretName, policy?.BasicAuth?.Realm, policy?.ExternalAuth?.Url?.OriginalString, policy?.ExternalAuth?.SigninUrl?.OriginalString,
            .. policy?.ExternalAuth?.ForwardResponseHeaders ?? [], policy?.SessionAffinity?.CookieName, policy?.LoadBalancing?.HashOn?.Header, policy?.LoadBalancing?.HashOn?.Cookie,
            routing.Rewrite?.ToString(), routing.Redirect?.Url.OriginalString, routing.AppRoot, routing.Canary?.Header, routing.Canary?.HeaderValue, routing.Canary?.Cookie,
        ];
        return all.OfType<string>();
    }

    // ---- published real-world examples ----

    [Test]
    public void Real_world_oauth2_proxy_external_auth()
    {
        // The shape of ingress-nginx's external-auth example and oauth2-proxy's documentation, with the auth service named by address.
        var result = Parse(
            ("auth-url", "https://oauth2-proxy.example.com/oauth2/auth"),
            ("auth-signin", "https://oauth2-proxy.example.com/oauth2/start?rd=$escaped_request_uri"),
            ("auth-response-headers", "X-Auth-Request-User,X-Auth-Request-Email,X-Auth-Request-Access-Token"),
            ("proxy-buffer-size", "16k"),
            ("kubernetes.io/ingress.class", "nginx"));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.AccessDenied, Is.False);
        Assert.That(result.Policy, Is.EqualTo(new PolicySpec
        {
            ExternalAuth = new ExternalAuthRule(
                new Uri("https://oauth2-proxy.example.com/oauth2/auth"), null, "/", [],
                ["x-auth-request-access-token", "x-auth-request-email", "x-auth-request-user"],
                new Uri("https://oauth2-proxy.example.com/oauth2/start")),
        }));
        Assert.That(result.Routing, Is.EqualTo(IngressNginxRouting.None with { ProxyBufferSizeBytes = 16 * 1024 }));
    }

    [Test]
    public void Real_world_canary_by_weight()
    {
        // ingress-nginx's canary example: the second Ingress of a host, 40% of requests.
        var result = Parse(("kubernetes.io/ingress.class", "nginx"), ("canary", "true"), ("canary-weight", "40"));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Policy, Is.Null);
        Assert.That(result.Routing, Is.EqualTo(IngressNginxRouting.None with { Canary = new CanaryRule(40, 100, null, null, null) }));
    }

    [Test]
    public void Real_world_rewrite_with_capture_groups()
    {
        // ingress-nginx's rewrite example: path /something(/|$)(.*) with rewrite-target /$2.
        var result = Parse(("use-regex", "true"), ("rewrite-target", "/$2"), ("ssl-redirect", "false"));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Policy, Is.EqualTo(new PolicySpec { HttpsRedirect = false }));
        Assert.That(result.Routing, Is.EqualTo(IngressNginxRouting.None with
        {
            UseRegex = true,
            Rewrite = new RewriteTarget([RewriteSegment.Text("/"), RewriteSegment.Capture(2)]),
        }));
        Assert.That(IngressNginxAnnotations.TryParseRegexPath("/something(/|$)(.*)", result.Routing.Rewrite, out var regex, out _), Is.True);
        Assert.That(regex.Match("/something/new").Groups[2].Value, Is.EqualTo("new"));
    }

    [Test]
    public void Real_world_basic_auth()
    {
        // ingress-nginx's basic-auth example.
        var result = Parse(("auth-type", "basic"), ("auth-secret", "basic-auth"), ("auth-realm", "Authentication Required - foo"));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Policy, Is.EqualTo(new PolicySpec { BasicAuth = new BasicAuthRule("basic-auth", "Authentication Required - foo") }));
        Assert.That(result.Policy!.CarriesAccessControl, Is.True);
        Assert.That(result.Routing, Is.EqualTo(IngressNginxRouting.None with { BasicAuthFormat = BasicAuthSecretFormat.AuthFile }));
    }

    [Test]
    public void Real_world_whitelist_with_timeouts_and_body_size()
    {
        // A common production set: office allow list, long timeouts for uploads, large bodies, affinity.
        var result = Parse(
            ("whitelist-source-range", "10.0.0.0/24,172.10.0.1"),
            ("proxy-body-size", "50m"),
            ("proxy-read-timeout", "3600"),
            ("proxy-send-timeout", "3600"),
            ("affinity", "cookie"),
            ("session-cookie-name", "route"),
            ("session-cookie-expires", "172800"),
            ("session-cookie-max-age", "172800"),
            ("force-ssl-redirect", "true"));
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Policy, Is.EqualTo(new PolicySpec
        {
            IpAccess = new IpAccessRule([IPNetwork.Parse("10.0.0.0/24"), IPNetwork.Parse("172.10.0.1/32")], []),
            MaxRequestBodyBytes = 50L << 20,
            Timeouts = new TimeoutRule(null, null, TimeSpan.FromHours(1)),
            SessionAffinity = new AffinityRule("route", TimeSpan.FromSeconds(172800)),
            HttpsRedirect = true,
        }));
        Assert.That(result.Routing.IsEmpty, Is.True);
    }

    [Test]
    public void Annotations_and_an_equivalent_ingress_policy_give_equal_values()
    {
        var annotations = Parse(
            ("whitelist-source-range", "192.168.1.7, 10.0.0.0/8"),
            ("auth-type", "basic"),
            ("auth-secret", "htpasswd"),
            ("auth-realm", "Shop staff"),
            ("limit-rps", "20"),
            ("limit-burst-multiplier", "2"),
            ("proxy-body-size", "8m"),
            ("affinity", "cookie"),
            ("session-cookie-name", "route"),
            ("session-cookie-max-age", "3600"),
            ("force-ssl-redirect", "true"));
        var (policy, errors) = PolicySpecParser.Parse(k8s.KubernetesJson.Deserialize<Core.Kubernetes.Crds.IngressPolicySpec>("""
            {"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},
             "ipAllowList":["10.0.0.0/8","192.168.1.7"],"basicAuth":{"secretRef":{"name":"htpasswd"},"realm":"Shop staff"},
             "rateLimit":{"requestsPerSecond":20,"burst":40},"maxRequestBodySize":"8Mi",
             "sessionAffinity":{"cookie":{"name":"route","ttl":"1h"}},"httpsRedirect":true}
            """));
        Assert.That(errors, Is.Empty);
        Assert.That(annotations.Policy, Is.EqualTo(policy), "ingress-nginx lists are typed exactly as IngressPolicy lists");
    }

    // ---- documentation in step ----

    [Test]
    public void Every_supported_annotation_is_documented()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "policies.md"));
        foreach (string name in IngressNginxAnnotations.Supported)
        {
            Assert.That(doc, Does.Contain($"`{name}`"), name);
        }
    }
}
