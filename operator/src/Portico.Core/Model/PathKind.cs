namespace Portico.Core.Model;

/// <summary>How a route's path matches the request path.</summary>
public enum PathKind
{
    /// <summary>The request path equals the route path exactly (case-sensitive).</summary>
    Exact,

    /// <summary>Element-wise prefix on '/': "/foo" matches "/foo", "/foo/", "/foo/bar", never "/foobar".</summary>
    Prefix,
}
