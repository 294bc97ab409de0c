using System.Globalization;
using System.Text.RegularExpressions;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;

namespace Portico.Envoy.Tests;

/// <summary>
/// How Envoy, per its documentation, picks what serves a request from the parsed config: ONE virtual host by domain
/// (exact, then the longest "*.suffix" whose star matches at least one character, then "*"; case-insensitive; the
/// port ignored when ignore_port_in_host_matching), then the FIRST route whose path matcher and header matchers all
/// match (the query string never takes part); and ONE filter chain by SNI (exact server name, then the most specific
/// "*.suffix", else the default chain). A model of Envoy for table tests, not Envoy: RealEnvoyTests run the real thing.
/// </summary>
internal static class EnvoyRoutingModel
{
    /// <summary>"cluster NAME", "split NAME WEIGHT, ...", "status N", "redirect https:PORT", "redirect LOCATION", or "404 (no route)" when nothing matches.</summary>
    public static string Route(RouteConfiguration config, string host, string pathAndQuery, string scheme = "http", IReadOnlyDictionary<string, string>? headers = null)
    {
        headers ??= new Dictionary<string, string>();
        string authority = host;
        string matchHost = host.ToLowerInvariant();
        if (config.IgnorePortInHostMatching && matchHost.LastIndexOf(':') is int colon and > 0 && !matchHost.EndsWith(']'))
        {
            matchHost = matchHost[..colon];
        }

        var virtualHost = config.VirtualHosts.FirstOrDefault(v => v.Domains.Contains(matchHost))
            ?? config.VirtualHosts
                .SelectMany(v => v.Domains.Where(d => d.StartsWith("*.", StringComparison.Ordinal)).Select(d => (Host: v, Suffix: d[1..])))
                .Where(c => matchHost.EndsWith(c.Suffix, StringComparison.Ordinal) && matchHost.Length > c.Suffix.Length)
                .OrderByDescending(c => c.Suffix.Length)
                .Select(c => c.Host)
                .FirstOrDefault()
            ?? config.VirtualHosts.FirstOrDefault(v => v.Domains.Contains("*"));
        if (virtualHost is null)
        {
            return "404 (no virtual host)";
        }

        string path = pathAndQuery.Split('?', 2)[0];
        foreach (var route in virtualHost.Routes)
        {
            if (PathMatches(route.Match, path) && route.Match.Headers.All(h => HeaderMatches(h, authority, headers)))
            {
                return route.ActionCase switch
                {
                    global::Envoy.Config.Route.V3.Route.ActionOneofCase.Route_ when route.Route_.WeightedClusters is { } split =>
                        "split " + string.Join(", ", split.Clusters.Select(c => $"{c.Name} {c.Weight}")),
                    global::Envoy.Config.Route.V3.Route.ActionOneofCase.Route_ => "cluster " + route.Route_.Cluster,
                    global::Envoy.Config.Route.V3.Route.ActionOneofCase.DirectResponse => "status " + route.DirectResponse.Status.ToString(CultureInfo.InvariantCulture),
                    global::Envoy.Config.Route.V3.Route.ActionOneofCase.Redirect when route.Redirect.HttpsRedirect => $"redirect https:{route.Redirect.PortRedirect}",
                    global::Envoy.Config.Route.V3.Route.ActionOneofCase.Redirect => $"redirect {Location(route.Redirect, scheme, matchHost, pathAndQuery)}",
                    _ => "unexpected action " + route.ActionCase,
                };
            }
        }

        return "404 (no route)";
    }

    /// <summary>The filter chain Envoy would pick for a TLS ClientHello with this SNI; null when none (the handshake fails).</summary>
    public static FilterChain? Chain(Listener listener, string serverName)
    {
        string sni = serverName.ToLowerInvariant();
        var exact = listener.FilterChains.FirstOrDefault(c => c.FilterChainMatch?.ServerNames.Contains(sni) == true);
        if (exact is not null)
        {
            return exact;
        }

        // Envoy tries *.rest-of-name for each shorter suffix in turn: the most specific wildcard wins, at any depth.
        for (int dot = sni.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = sni.IndexOf('.', dot + 1))
        {
            string wildcard = "*" + sni[dot..];
            var chain = listener.FilterChains.FirstOrDefault(c => c.FilterChainMatch?.ServerNames.Contains(wildcard) == true);
            if (chain is not null)
            {
                return chain;
            }
        }

        return listener.DefaultFilterChain;
    }

    /// <summary>The Location of a route's own redirect (not https_redirect): set parts replace the request's; the code's number first.</summary>
    private static string Location(RedirectAction redirect, string scheme, string host, string pathAndQuery)
    {
        int code = redirect.ResponseCode switch
        {
            RedirectAction.Types.RedirectResponseCode.MovedPermanently => 301,
            RedirectAction.Types.RedirectResponseCode.Found => 302,
            RedirectAction.Types.RedirectResponseCode.SeeOther => 303,
            RedirectAction.Types.RedirectResponseCode.TemporaryRedirect => 307,
            _ => 308,
        };
        string[] parts = pathAndQuery.Split('?', 2);
        string query = redirect.StripQuery || parts.Length == 1 ? string.Empty : "?" + parts[1];
        string path = redirect.PathRedirect.Length > 0 ? redirect.PathRedirect + (redirect.PathRedirect.Contains('?', StringComparison.Ordinal) ? string.Empty : query) : pathAndQuery;
        string port = redirect.PortRedirect > 0 ? ":" + redirect.PortRedirect.ToString(CultureInfo.InvariantCulture) : string.Empty;
        return $"{code} {(redirect.SchemeRedirect.Length > 0 ? redirect.SchemeRedirect : scheme)}://{(redirect.HostRedirect.Length > 0 ? redirect.HostRedirect : host)}{port}{path}";
    }

    /// <summary>
    /// The path Envoy forwards for a cluster route that matched <paramref name="path"/>: prefix_rewrite replaces the
    /// matched prefix; regex_rewrite replaces every match of its pattern (RE2 substitution \1..\9).
    /// </summary>
    public static string Rewritten(global::Envoy.Config.Route.V3.Route route, string path)
    {
        var action = route.Route_;
        if (action.PrefixRewrite.Length > 0)
        {
            string prefix = route.Match.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.Prefix ? route.Match.Prefix : route.Match.PathSeparatedPrefix;
            return action.PrefixRewrite + path[prefix.Length..];
        }

        if (action.RegexRewrite is { } rewrite)
        {
            string substitution = Regex.Replace(rewrite.Substitution, @"\\([0-9])", "$${$1}");
            return Regex.Replace(path, rewrite.Pattern.Regex, substitution, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }

        return path;
    }

    /// <summary>The first route of <paramref name="host"/>'s virtual host (exact domain) that matches <paramref name="path"/>.</summary>
    public static global::Envoy.Config.Route.V3.Route FirstMatch(RouteConfiguration config, string host, string path) =>
        config.VirtualHosts.First(v => v.Domains.Contains(host)).Routes.First(r => PathMatches(r.Match, path));

    private static bool PathMatches(RouteMatch match, string path) => match.PathSpecifierCase switch
    {
        RouteMatch.PathSpecifierOneofCase.SafeRegex => Regex.IsMatch(path, "^(?:" + match.SafeRegex.Regex + ")\\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
        RouteMatch.PathSpecifierOneofCase.Path => path == match.Path,
        RouteMatch.PathSpecifierOneofCase.Prefix => path.StartsWith(match.Prefix, StringComparison.Ordinal),
        RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix => path == match.PathSeparatedPrefix || path.StartsWith(match.PathSeparatedPrefix + "/", StringComparison.Ordinal),
        _ => throw new NotSupportedException("path matcher " + match.PathSpecifierCase),
    };

    /// <summary>
    /// :authority against the request's Host; any other header (a canary selector's) against the request's header of that
    /// name (case-insensitive), absent never matching: exact equality, or the RE2 regex matching the whole value.
    /// </summary>
    private static bool HeaderMatches(HeaderMatcher header, string authority, IReadOnlyDictionary<string, string> headers)
    {
        string? value = header.Name == ":authority" ? authority
            : headers.Where(h => string.Equals(h.Key, header.Name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
        if (value is null)
        {
            return false;
        }

        return header.StringMatch.MatchPatternCase == StringMatcher.MatchPatternOneofCase.Exact
            ? header.StringMatch.Exact == value
            : Regex.IsMatch(value, "^(?:" + header.StringMatch.SafeRegex.Regex + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
