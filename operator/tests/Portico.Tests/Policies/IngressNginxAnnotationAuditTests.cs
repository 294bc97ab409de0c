using Portico.Core.Building.Policies;
using Portico.Core.Model;

namespace Portico.Tests.Policies;

/// <summary>
/// No ingress-nginx annotation is silently ignored (issue 10). For every <c>nginx.ingress.kubernetes.io/*</c> name —
/// the ones Portico reads (<see cref="IngressNginxAnnotations.Supported"/>) and the ingress-nginx annotation list
/// written out below — setting it either maps (a valid value changes the typed result: the policy or the routing
/// facts), or is refused with an error naming it (snippets), or denies with a diagnostic naming it (access control that
/// cannot be honoured: auth-tls-*, an unknown auth-type), or is warned as not implemented, naming it.
/// </summary>
public sealed class IngressNginxAnnotationAuditTests
{
    private static readonly ObjectRef Subject = new("Ingress", "shop", "web");

    /// <summary>
    /// The annotations of ingress-nginx's user guide (docs/user-guide/nginx-configuration/annotations.md: the table and
    /// the sections below it), without the prefix, as of controller v1.x.
    /// </summary>
    public static readonly string[] IngressNginxNames =
    [
        "app-root", "affinity", "affinity-mode", "affinity-canary-behavior",
        "auth-realm", "auth-secret", "auth-secret-type", "auth-type",
        "auth-tls-secret", "auth-tls-verify-depth", "auth-tls-verify-client", "auth-tls-error-page", "auth-tls-pass-certificate-to-upstream", "auth-tls-match-cn",
        "auth-url", "auth-cache-key", "auth-cache-duration", "auth-keepalive", "auth-keepalive-requests", "auth-keepalive-timeout",
        "auth-proxy-set-headers", "auth-snippet", "enable-global-auth", "auth-method", "auth-signin", "auth-signin-redirect-param",
        "auth-response-headers", "auth-request-redirect", "auth-always-set-cookie",
        "backend-protocol",
        "canary", "canary-by-header", "canary-by-header-value", "canary-by-header-pattern", "canary-by-cookie", "canary-weight", "canary-weight-total",
        "client-body-buffer-size", "configuration-snippet", "custom-http-errors", "custom-headers", "default-backend", "disable-proxy-intercept-errors",
        "enable-cors", "cors-allow-origin", "cors-allow-methods", "cors-allow-headers", "cors-expose-headers", "cors-allow-credentials", "cors-max-age",
        "force-ssl-redirect", "from-to-www-redirect", "http2-push-preload",
        "limit-connections", "limit-rps", "limit-rpm", "limit-burst-multiplier", "limit-rate-after", "limit-rate", "limit-whitelist", "limit-allowlist",
        "global-rate-limit", "global-rate-limit-window", "global-rate-limit-key", "global-rate-limit-ignored-cidrs",
        "permanent-redirect", "permanent-redirect-code", "temporal-redirect", "temporal-redirect-code", "preserve-trailing-slash",
        "proxy-body-size", "proxy-cookie-domain", "proxy-cookie-path", "proxy-connect-timeout", "proxy-send-timeout", "proxy-read-timeout",
        "proxy-next-upstream", "proxy-next-upstream-timeout", "proxy-next-upstream-tries", "proxy-request-buffering",
        "proxy-redirect-from", "proxy-redirect-to", "proxy-http-version",
        "proxy-ssl-secret", "proxy-ssl-ciphers", "proxy-ssl-name", "proxy-ssl-protocols", "proxy-ssl-verify", "proxy-ssl-verify-depth", "proxy-ssl-server-name",
        "enable-rewrite-log", "rewrite-target", "satisfy", "server-alias", "server-snippet", "service-upstream",
        "session-cookie-name", "session-cookie-path", "session-cookie-domain", "session-cookie-change-on-failure", "session-cookie-samesite",
        "session-cookie-conditional-samesite-none", "session-cookie-max-age", "session-cookie-expires", "session-cookie-secure",
        "ssl-redirect", "ssl-passthrough", "stream-snippet", "upstream-hash-by", "upstream-hash-by-subset", "upstream-hash-by-subset-size",
        "x-forwarded-prefix", "load-balance", "upstream-vhost", "denylist-source-range", "whitelist-source-range", "allowlist-source-range",
        "proxy-buffering", "proxy-buffers-number", "proxy-buffer-size", "proxy-busy-buffers-size", "proxy-max-temp-file-size",
        "ssl-ciphers", "ssl-prefer-server-ciphers", "connection-proxy-header", "enable-access-log",
        "enable-opentracing", "opentracing-trust-incoming-span", "enable-opentelemetry", "opentelemetry-trust-incoming-span", "opentelemetry-operation-name",
        "enable-influxdb", "influxdb-measurement", "influxdb-port", "influxdb-host", "influxdb-server-name",
        "use-regex", "enable-modsecurity", "enable-owasp-core-rules", "modsecurity-transaction-id", "modsecurity-snippet",
        "mirror-request-body", "mirror-target", "mirror-host",
    ];

    /// <summary>
    /// A valid value for every annotation Portico reads, with the annotations it needs beside it (the canary family needs
    /// canary, CORS needs enable-cors, ...). A name added to <see cref="IngressNginxAnnotations.Supported"/> needs a row.
    /// </summary>
    private static readonly Dictionary<string, (string Value, (string Name, string Value)[] With)> Samples = new(StringComparer.Ordinal)
    {
        ["ssl-redirect"] = ("false", []),
        ["force-ssl-redirect"] = ("true", []),
        ["proxy-body-size"] = ("8m", []),
        ["proxy-connect-timeout"] = ("5", []),
        ["proxy-read-timeout"] = ("30", []),
        ["proxy-send-timeout"] = ("30", []),
        ["enable-cors"] = ("true", []),
        ["cors-allow-origin"] = ("https://app.example", [("enable-cors", "true")]),
        ["cors-allow-methods"] = ("GET", [("enable-cors", "true")]),
        ["cors-allow-headers"] = ("X-A", [("enable-cors", "true")]),
        ["cors-allow-credentials"] = ("false", [("enable-cors", "true"), ("cors-allow-origin", "https://app.example")]),
        ["cors-max-age"] = ("60", [("enable-cors", "true")]),
        ["cors-expose-headers"] = ("X-B", [("enable-cors", "true")]),
        ["whitelist-source-range"] = ("10.0.0.0/8", []),
        ["allowlist-source-range"] = ("10.0.0.0/8", []),
        ["denylist-source-range"] = ("10.1.0.0/16", []),
        ["limit-rps"] = ("10", []),
        ["limit-burst-multiplier"] = ("2", [("limit-rps", "10")]),
        ["limit-connections"] = ("5", []),
        ["auth-type"] = ("basic", [("auth-secret", "htpasswd")]),
        ["auth-secret"] = ("htpasswd", [("auth-type", "basic")]),
        ["auth-secret-type"] = ("auth-map", [("auth-type", "basic"), ("auth-secret", "htpasswd")]),
        ["auth-realm"] = ("Staff only", [("auth-type", "basic"), ("auth-secret", "htpasswd")]),
        ["auth-url"] = ("https://auth.example.com/check", []),
        ["auth-signin"] = ("https://login.example.com/start", [("auth-url", "https://auth.example.com/check")]),
        ["auth-response-headers"] = ("X-User", [("auth-url", "https://auth.example.com/check")]),
        ["backend-protocol"] = ("HTTPS", []),
        ["upstream-hash-by"] = ("$remote_addr", []),
        ["affinity"] = ("cookie", []),
        ["session-cookie-name"] = ("S", [("affinity", "cookie")]),
        ["session-cookie-max-age"] = ("60", [("affinity", "cookie")]),
        ["session-cookie-expires"] = ("60", [("affinity", "cookie")]),
        ["permanent-redirect"] = ("https://example.com/", []),
        ["permanent-redirect-code"] = ("308", [("permanent-redirect", "https://example.com/")]),
        ["temporal-redirect"] = ("https://example.com/", []),
        ["temporal-redirect-code"] = ("307", [("temporal-redirect", "https://example.com/")]),
        ["app-root"] = ("/app", []),
        ["from-to-www-redirect"] = ("true", []),
        ["canary"] = ("true", []),
        ["canary-weight"] = ("10", [("canary", "true")]),
        ["canary-weight-total"] = ("1000", [("canary", "true")]),
        ["canary-by-header"] = ("x-canary", [("canary", "true")]),
        ["canary-by-header-value"] = ("v2", [("canary", "true"), ("canary-by-header", "x-canary")]),
        ["canary-by-cookie"] = ("canary", [("canary", "true")]),
        ["proxy-next-upstream"] = ("error", []),
        ["proxy-next-upstream-tries"] = ("2", []),
        ["proxy-next-upstream-timeout"] = ("5", []),
        ["proxy-buffering"] = ("on", []),
        ["proxy-buffer-size"] = ("8k", []),
        ["proxy-request-buffering"] = ("off", []),
        ["rewrite-target"] = ("/x", []),
        ["use-regex"] = ("true", []),
    };

    public static IEnumerable<TestCaseData> AllNames() =>
        IngressNginxNames.Concat(IngressNginxAnnotations.Supported).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(n => new TestCaseData(n).SetName($"Annotation {n} is mapped, refused, denied or warned"));

    private static IngressNginxAnnotationResult Parse(IEnumerable<(string Name, string Value)> annotations) =>
        IngressNginxAnnotations.Parse(annotations.ToDictionary(a => IngressNginxAnnotations.Prefix + a.Name, a => a.Value), Subject);

    private static IEnumerable<Diagnostic> Naming(IngressNginxAnnotationResult result, string name) =>
        result.Diagnostics.Where(d => d.Field == IngressNginxAnnotations.Prefix + name);

    [TestCaseSource(nameof(AllNames))]
    public void Is_never_silently_ignored(string name)
    {
        if (IngressNginxAnnotations.Supported.Contains(name))
        {
            Assert.That(Samples.TryGetValue(name, out var sample), $"{name} is read by Portico: give it a sample value in {nameof(Samples)}");
            var without = Parse(sample.With);
            var with = Parse([.. sample.With, (name, sample.Value)]);
            Assert.That(Naming(with, name).Where(d => d.Severity == Severity.Error), Is.Empty, $"the sample value of {name} is accepted");
            Assert.That(with.AccessDenied, Is.False, $"a valid {name} does not deny");
            Assert.That((with.Policy, with.Routing), Is.Not.EqualTo((without.Policy, without.Routing)), $"setting {name} changes the typed result");
            return;
        }

        var result = Parse([(name, "true")]);
        var named = Naming(result, name).ToList();
        Assert.That(named, Is.Not.Empty, $"{name} is not read, so a diagnostic must name it");
        if (name.Contains("snippet", StringComparison.Ordinal))
        {
            Assert.That(named.Select(d => d.Severity), Has.All.EqualTo(Severity.Error), $"{name} is refused");
        }
        else if (name.StartsWith("auth-tls-", StringComparison.Ordinal))
        {
            Assert.That(result.AccessDenied, $"{name}: client-certificate authentication cannot be honoured, so the Ingress denies");
        }
        else
        {
            Assert.That(named.Select(d => d.Severity), Has.Some.EqualTo(Severity.Warning), $"{name} is warned as not implemented");
            Assert.That(named.Single(d => d.Severity == Severity.Warning).Message, Does.Contain("not implemented"));
            Assert.That(result.Policy, Is.Null, $"an unimplemented {name} sets nothing");
        }
    }

    [TestCase("digest")]
    [TestCase("ntlm")]
    public void An_auth_type_Portico_cannot_honour_denies_naming_it(string type)
    {
        var result = Parse([("auth-type", type), ("auth-secret", "htpasswd")]);
        Assert.That(result.AccessDenied);
        Assert.That(Naming(result, "auth-type").Select(d => d.Severity), Has.Some.EqualTo(Severity.Error).Or.Some.EqualTo(Severity.Warning));
    }

    [Test]
    public void A_snippet_that_controls_access_denies_rather_than_serving()
    {
        var result = Parse([("configuration-snippet", "allow 10.0.0.0/8;\ndeny all;")]);
        Assert.That(result.AccessDenied);
        Assert.That(Naming(result, "configuration-snippet"), Is.Not.Empty);
    }

    [Test]
    public void Every_annotation_Portico_reads_is_a_real_ingress_nginx_annotation()
    {
        Assert.That(IngressNginxAnnotations.Supported.Except(IngressNginxNames), Is.Empty, "a name Portico reads that ingress-nginx does not have");
    }
}
