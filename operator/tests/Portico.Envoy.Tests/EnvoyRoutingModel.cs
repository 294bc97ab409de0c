using System.Globalization;
using System.Text.RegularExpressions;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;

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
    /// <summary>"cluster NAME", "split NAME WEIGHT, ...", "status N", "redirect https:PORT", or "404 (no route)" when nothing matches.</summary>
    public static string Route(RouteConfiguration config, string host, string pathAndQuery)
    {
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
            if (PathMatches(route.Match, path) && route.Match.Headers.All(h => HeaderMatches(h, authority)))
            {
                return route.ActionCase switch
                {
                    global::Envoy.Config.Route.V3.Route.ActionOneofCase.Route_ when route.Route_.WeightedClusters is { } split =>
                        "split " + string.Join(", ", split.Clusters.Select(c => $"{c.Name} {c.Weight}")),
                    global::Envoy.Config.Route.V3.Route.ActionOneofCase.Route_ => "cluster " + route.Route_.Cluster,
                    global::Envoy.Config.Route.V3.Route.ActionOneofCase.DirectResponse => "status " + route.DirectResponse.Status.ToString(CultureInfo.InvariantCulture),
                    global::Envoy.Config.Route.V3.Route.ActionOneofCase.Redirect => $"redirect https:{route.Redirect.PortRedirect}",
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

    private static bool PathMatches(RouteMatch match, string path) => match.PathSpecifierCase switch
    {
        RouteMatch.PathSpecifierOneofCase.Path => path == match.Path,
        RouteMatch.PathSpecifierOneofCase.Prefix => path.StartsWith(match.Prefix, StringComparison.Ordinal),
        RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix => path == match.PathSeparatedPrefix || path.StartsWith(match.PathSeparatedPrefix + "/", StringComparison.Ordinal),
        _ => throw new NotSupportedException("path matcher " + match.PathSpecifierCase),
    };

    private static bool HeaderMatches(HeaderMatcher header, string authority)
    {
        Assert.That(header.Name, Is.EqualTo(":authority"), "the model knows only :authority matchers");
        return Regex.IsMatch(authority, header.StringMatch.SafeRegex.Regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
