namespace Portico.TestSupport;

/// <summary>
/// For an ingress-nginx annotation that is only read together with others (the cors-* family needs enable-cors, ...),
/// the annotations (short names, values) that make it read; without them it is ignored with a warning.
/// </summary>
public static class IngressNginxAnnotationContext
{
    public static IReadOnlyDictionary<string, (string Name, string Value)[]> Needed { get; } = new Dictionary<string, (string, string)[]>
    {
        ["cors-allow-origin"] = [("enable-cors", "true")],
        ["cors-allow-methods"] = [("enable-cors", "true")],
        ["cors-allow-headers"] = [("enable-cors", "true")],
        ["cors-allow-credentials"] = [("enable-cors", "true")],
        ["cors-max-age"] = [("enable-cors", "true")],
        ["cors-expose-headers"] = [("enable-cors", "true")],
        ["auth-secret"] = [("auth-type", "basic")],
        ["auth-secret-type"] = [("auth-type", "basic"), ("auth-secret", "users")],
        ["auth-realm"] = [("auth-type", "basic"), ("auth-secret", "users")],
        ["auth-type"] = [("auth-secret", "users")],
        ["auth-signin"] = [("auth-url", "http://auth.example/check")],
        ["auth-response-headers"] = [("auth-url", "http://auth.example/check")],
        ["session-cookie-name"] = [("affinity", "cookie")],
        ["session-cookie-max-age"] = [("affinity", "cookie")],
        ["session-cookie-expires"] = [("affinity", "cookie")],
        ["permanent-redirect-code"] = [("permanent-redirect", "https://a.example")],
        ["temporal-redirect-code"] = [("temporal-redirect", "https://a.example")],
        ["canary-weight"] = [("canary", "true")],
        ["canary-weight-total"] = [("canary", "true")],
        ["canary-by-header"] = [("canary", "true")],
        ["canary-by-header-value"] = [("canary", "true"), ("canary-by-header", "x-canary")],
        ["canary-by-cookie"] = [("canary", "true")],
        ["limit-burst-multiplier"] = [("limit-rps", "5")],
    };
}
