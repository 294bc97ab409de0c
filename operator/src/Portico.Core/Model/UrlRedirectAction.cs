using System.Globalization;

namespace Portico.Core.Model;

/// <summary>
/// A redirect the proxy answers itself, built from the request with the set parts replaced: IngressPolicy
/// <c>redirect</c>, ingress-nginx permanent-redirect / temporal-redirect (every part set: a fixed URL), app-root and
/// from-to-www-redirect. <see cref="Scheme"/> null keeps the request's scheme, <see cref="Host"/> null its host name.
/// <see cref="Port"/> null writes no port (the scheme's default). <see cref="Path"/> null keeps the request's path and
/// query; with a path, <see cref="Query"/> null keeps the request's query, "" drops it, anything else replaces it.
/// Every part was validated by the builder (scheme http/https, a DNS name, a path, a query of URL characters).
/// </summary>
public sealed record UrlRedirectAction(string? Scheme, string? Host, int? Port, string? Path, string? Query, int Status) : RouteAction
{
    public override string? Upstream => null;

    /// <summary>The Location for a request with this scheme, host name (no port), path and query ("" when none).</summary>
    public string LocationFor(string scheme, string host, string path, string query)
    {
        string finalQuery = Path is null ? query : Query ?? query;
        string port = Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : string.Empty;
        return $"{Scheme ?? scheme}://{Host ?? host}{port}{Path ?? path}{(finalQuery.Length > 0 ? "?" + finalQuery : string.Empty)}";
    }

    public override string ToString() =>
        $"redirect {Status} to {Scheme ?? "<scheme>"}://{Host ?? "<host>"}{(Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : string.Empty)}"
        + (Path is null ? "<path and query>" : Path + (Query is null ? "<query>" : Query.Length > 0 ? "?" + Query : string.Empty));
}
