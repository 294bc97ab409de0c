namespace Portico.Core.Model;

/// <summary>How a route's path matches the request path.</summary>
public enum PathKind
{
    /// <summary>The request path equals the route path exactly (case-sensitive).</summary>
    Exact,

    /// <summary>Element-wise prefix on '/': "/foo" matches "/foo", "/foo/", "/foo/bar", never "/foobar".</summary>
    Prefix,

    /// <summary>
    /// A regular expression in Portico's dialect (<see cref="Values.PathRegexValue"/>; ingress-nginx use-regex paths),
    /// anchored at the start of the request path only and case-sensitive: "/api/v[0-9]+" matches "/api/v2/users".
    /// </summary>
    Regex,
}
