using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// How a location's endpoint is chosen (the route policy's sessionAffinity and loadBalancing), in nginx terms: a
/// <see cref="Key"/> variable (name without '$') the endpoint is chosen by (a hash of it), or <see cref="LeastRequest"/>, or nothing
/// (round robin). With Lua endpoints the location hands the key (or "least") to the Lua balancer; without, the
/// location proxies to a variant of its upstream block carrying <c>hash KEY consistent</c> or <c>least_conn</c>.
/// <para>Session affinity: a client without the cookie is hashed by its request id and gets the cookie with that id
/// (Set-Cookie NAME=ID; Path=/; HttpOnly; Max-Age from the ttl), so its next requests hash to the same endpoint for as
/// long as the endpoint list stays the same (consistent hashing moves few clients when it changes). The cookie names
/// no address. Affinity wins over loadBalancing when both are set (as Envoy's first hash policy does).</para>
/// </summary>
public sealed partial record NginxEndpointChoice(string? Key, bool LeastRequest, string Identity)
{
    /// <summary>The choice for <paramref name="policy"/>, with the http-level maps it needs added to <paramref name="maps"/>; null for round robin.</summary>
    public static NginxEndpointChoice? For(RoutePolicy policy, NginxEndpointMaps maps)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(maps);
        if (policy.SessionAffinity is { } affinity)
        {
            var cookie = CookieMap(affinity.CookieName, maps);
            string attributes = "; Path=/; HttpOnly"
                + (affinity.Ttl is { } ttl && ttl > TimeSpan.Zero ? "; Max-Age=" + ((long)ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture) : string.Empty);
            string identity = affinity.CookieName + "=" + attributes;
            string variable = "portico_affinity_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..12];
            maps.Affinities[variable] = new NginxAffinityMapView(variable, cookie.Variable, affinity.CookieName + "=", attributes);
            return new NginxEndpointChoice(variable, false, "affinity " + identity) { SetCookie = variable + "_set" };
        }

        return policy.LoadBalancing switch
        {
            { Algorithm: LoadBalancingAlgorithm.LeastRequest } => new NginxEndpointChoice(null, true, "least"),
            { Algorithm: LoadBalancingAlgorithm.RequestHash, HashOn: { Header: { } header } } => new NginxEndpointChoice("http_" + HeaderVariable(header), false, "header " + header),
            { Algorithm: LoadBalancingAlgorithm.RequestHash, HashOn: { Cookie: { } name } } => new NginxEndpointChoice(CookieMap(name, maps).Variable, false, "cookie " + name),
            { Algorithm: LoadBalancingAlgorithm.RequestHash } => new NginxEndpointChoice("remote_addr", false, "address"),
            _ => null,
        };
    }

    /// <summary>With affinity: the variable (without '$') holding the Set-Cookie value for a client without the cookie ("" otherwise: not sent).</summary>
    public string? SetCookie { get; init; }

    /// <summary>A suffix naming the upstream block variant that carries this choice (no Lua endpoints).</summary>
    public string VariantSuffix => "__lb" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Identity)))[..8];

    /// <summary>
    /// A header's nginx variable suffix: lower case, '-' as '_'. The parser admits only letters, digits, '-' and '_'
    /// for a hashed header; anything else is refused here rather than printed.
    /// </summary>
    private static string HeaderVariable(string header) =>
        HeaderName().IsMatch(header) ? header.ToLowerInvariant().Replace('-', '_') : throw new TemplateException($"header {Printable.Quote(header)} cannot be hashed by nginx");

    /// <summary>A map reading one cookie's value from the Cookie header (cookie names may hold '-' and '.', which $cookie_NAME cannot).</summary>
    private static NginxCookieMapView CookieMap(string name, NginxEndpointMaps maps)
    {
        if (!CookieName().IsMatch(name))
        {
            throw new TemplateException($"cookie {Printable.Quote(name)} cannot be read by nginx");
        }

        string variable = "portico_cookie_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12];
        if (!maps.Cookies.TryGetValue(variable, out var map))
        {
            map = new NginxCookieMapView(variable, "~(?:^|;\\s*)" + Regex.Escape(name) + "=([^;\\s]+)");
            maps.Cookies[variable] = map;
        }

        return map;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderName();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex CookieName();
}

/// <summary>http-level map reading one cookie's value from the Cookie header: <c>map $http_cookie $VARIABLE { default ""; "PATTERN" $1; }</c>.</summary>
public sealed record NginxCookieMapView(string Variable, string Pattern);

/// <summary>
/// Session affinity's two maps: <c>$VARIABLE</c> is the cookie's value, or the request id when the client has none;
/// <c>$VARIABLE_set</c> is the Set-Cookie value, <c>NAME=${request_id}ATTRIBUTES</c>, only in that case.
/// </summary>
public sealed record NginxAffinityMapView(string Variable, string CookieVariable, string SetCookiePrefix, string SetCookieAttributes);

/// <summary>The http-level maps the locations' endpoint choices need, by variable (sorted: the same input prints the same bytes).</summary>
public sealed class NginxEndpointMaps
{
    public SortedDictionary<string, NginxCookieMapView> Cookies { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, NginxAffinityMapView> Affinities { get; } = new(StringComparer.Ordinal);
}
