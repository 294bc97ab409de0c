using System.Collections.Immutable;
using System.Globalization;
using Portico.Core.Model;

namespace Portico.Core.Explaining;

/// <summary>
/// "Which rule served this request?", answered from the model alone (pure). The host is matched as the proxies do
/// (exact name case-insensitively, then "*.suffix" for exactly one more label, then the any-host); the route is the
/// model's own <see cref="VirtualHost.RouteFor"/>, never a second decision (ADR 0008), so the answer is what every
/// renderer was given to translate.
/// </summary>
public static class RequestExplainer
{
    public static Explanation Explain(ProxyModel model, ExplainRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        // Over HTTPS only the hosts served with TLS have their own routes; every other name (and a host without TLS)
        // reaches the any-host, as the proxies' TLS listeners are built from the model.
        var matching = MatchingHosts(model, request.Host)
            .Where(v => request.Scheme != Uri.UriSchemeHttps || v.Host.Kind == HostKind.Any || v.CertificateId is not null)
            .ToImmutableArray();
        var host = matching[0];
        var considered = ImmutableArray.CreateBuilder<ConsideredRoute>();
        foreach (var loser in matching.Skip(1))
        {
            // A less specific host that matches would serve the whole request had the chosen one not existed.
            var wouldServe = loser.RouteFor(request.Path);
            considered.Add(new ConsideredRoute(
                "host",
                HostText(loser.Host),
                wouldServe?.Match.Path,
                wouldServe is null ? null : wouldServe.Match.Kind.ToString(),
                IngressOf(wouldServe),
                RuleOf(wouldServe),
                $"host {HostText(host.Host)} is more specific than {(loser.Host.Kind == HostKind.Any ? "the rules without host" : loser.Host.Value)}"));
        }

        // Every virtual host has a catch-all or a rule for "/" (the builder adds the fallback), so a route is found;
        // a model without one would be a builder bug, answered as the 404 the proxies give for it.
        var route = host.RouteFor(request.Path) ?? new Route(new PathMatch(PathKind.Prefix, "/"), RespondAction.NotFound, null, string.Empty);
        foreach (var other in host.EffectiveRoutes.Where(r => r != route && r.Matches(request.Path)))
        {
            considered.Add(new ConsideredRoute("precedence", HostText(host.Host), other.Match.Path, other.Match.Kind.ToString(), IngressOf(other), RuleOf(other), PrecedenceReason(route, other)));
        }

        foreach (var conflict in Conflicts(model, host, route))
        {
            considered.Add(conflict);
        }

        // Rules Portico does not serve (another class, a rejected Ingress or backend) that would have matched.
        string requested = ExplainRequest.NormalizeHost(request.Host);
        foreach (var unserved in model.Unserved.Where(u => HostMatches(u.Host, requested) && u.Match.Matches(request.Path)))
        {
            considered.Add(new ConsideredRoute(unserved.Why, HostText(unserved.Host), unserved.Match.Path, unserved.Match.Kind.ToString(), unserved.Ingress, RuleOf(route with { Field = unserved.Field }), unserved.Reason));
        }

        // The host's redirect, or the route's own (policy httpsRedirect / force-ssl-redirect on a host without one).
        if (request.Scheme == Uri.UriSchemeHttp && (host.HttpsRedirect ?? route.Policy.HttpsRedirect) is { } redirect)
        {
            return ForRoute(ExplainedBackend.Index(model), host, route) with
            {
                Action = ExplainedAction.Redirect,
                Status = redirect.Status,
                Backend = null,
                Reason = host.HttpsRedirect is not null ? $"host {HostText(host.Host)} has TLS and plain HTTP is redirected" : "the route's policy redirects plain HTTP to HTTPS",
                Location = Location(redirect, request),
                Considered = considered.ToImmutable(),
            };
        }

        var upstreams = ExplainedBackend.Index(model);
        var verdict = ForRoute(upstreams, host, route) with { Considered = considered.ToImmutable() };
        return route.Action switch
        {
            SplitAction { Selectors.IsEmpty: false } split => WithSelectors(verdict, split, request, upstreams),
            RedirectAction to => verdict with { Location = Location(to, request) },
            UrlRedirectAction url => verdict with { Location = url.LocationFor(request.Scheme, ExplainRequest.NormalizeHost(request.Host), request.Path, string.Empty) },
            _ => verdict,
        };
    }

    /// <summary>
    /// A canary's selectors decide before the weights, as the proxies check them: the first that holds for the
    /// request's headers (name case-insensitive, value exact) or cookies (name and value exact) names the upstream;
    /// when none holds the request is drawn by weight, and the reason says which selectors were checked.
    /// </summary>
    private static Explanation WithSelectors(Explanation verdict, SplitAction split, ExplainRequest request, IReadOnlyDictionary<string, Upstream> upstreams)
    {
        foreach (var selector in split.Selectors)
        {
            if (Holds(selector, request))
            {
                return verdict with { Backend = ExplainedBackend.From(upstreams, selector.UpstreamName), Reason = $"canary selector holds: {selector}" };
            }
        }

        string weights = string.Join(", ", split.Backends.Select(b => $"{b.UpstreamName} ({b.Weight})"));
        return verdict with { Reason = $"split by weight: {weights}{NoSelectorHolds}{string.Join("; ", split.Selectors)})" };
    }

    /// <summary>What follows the weights in a split's reason when the request carries none of its canary selectors.</summary>
    public const string NoSelectorHolds = " (no canary selector holds: ";

    private static bool Holds(SplitSelector selector, ExplainRequest request)
    {
        if (selector.Source == SelectorSource.Header)
        {
            // The proxies read the first header of that name.
            var first = request.Headers.FirstOrDefault(h => h.Key.Equals(selector.Name, StringComparison.OrdinalIgnoreCase));
            return first.Key is not null && first.Value == selector.Value;
        }

        return request.Headers.Where(h => h.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Split(';'))
            .Select(pair => pair.TrimStart())
            .Any(pair => pair == selector.Name + "=" + selector.Value);
    }

    /// <summary>
    /// What the proxy does with a request this route takes over HTTPS (or over plain HTTP on a host that does not
    /// redirect): the verdict without a request, used by `portico plan` for every route of a model.
    /// <paramref name="upstreams"/> is the model's <see cref="ExplainedBackend.Index"/>, built once per model.
    /// </summary>
    public static Explanation ForRoute(IReadOnlyDictionary<string, Upstream> upstreams, VirtualHost host, Route route)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(route);
        return route.Action switch
        {
            ForwardAction forward => Verdict(ExplainedAction.Forward, null, ExplainedBackend.From(upstreams, forward.UpstreamName), "forwarded to the Service's ready endpoints", null),
            ExternalNameAction external => Verdict(ExplainedAction.Forward, null, ExplainedBackend.From(upstreams, external.UpstreamName), $"forwarded to the ExternalName {external.Host}:{external.Port}", null),
            SplitAction split => Verdict(ExplainedAction.Forward, null, ExplainedBackend.From(upstreams, split.Upstream), $"split by weight: {split}", null),
            RespondAction respond => Verdict(ExplainedAction.Respond, respond.Status, ExplainedBackend.From(upstreams, respond.Backend), respond.Reason, null),
            RedirectAction redirect => Verdict(ExplainedAction.Redirect, redirect.Status, null, $"redirected to {redirect.Scheme} on port {redirect.Port}", null),
            UrlRedirectAction url => Verdict(ExplainedAction.Redirect, url.Status, null, $"{url} (the route's redirect)", null),
            _ => throw new InvalidOperationException($"route action {route.Action.GetType().Name} is not explained; add it here"),
        };

        Explanation Verdict(ExplainedAction action, int? status, ExplainedBackend? backend, string reason, string? location) =>
            new(action, status, backend, IngressOf(route), RuleOf(route), route.Field, route.Match.Path, route.Match.Kind.ToString(), HostText(host.Host), reason, location, [], []);
    }

    /// <summary>The virtual hosts that match <paramref name="requestHost"/>, the one that serves it first: exact, then wildcard, then the any-host.</summary>
    public static ImmutableArray<VirtualHost> MatchingHosts(ProxyModel model, string requestHost)
    {
        ArgumentNullException.ThrowIfNull(model);
        string name = ExplainRequest.NormalizeHost(requestHost);
        return [.. model.VirtualHosts.Where(v => HostMatches(v.Host, name)).OrderBy(v => v.Host.Kind)];
    }

    /// <summary>True when the normalized request host <paramref name="name"/> is served by <paramref name="pattern"/>.</summary>
    public static bool HostMatches(HostPattern pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        return pattern.Kind switch
        {
            HostKind.Exact => string.Equals(pattern.Value, name, StringComparison.OrdinalIgnoreCase),
            HostKind.Wildcard => name.Length > pattern.WildcardSuffix.Length
                && name.EndsWith(pattern.WildcardSuffix, StringComparison.OrdinalIgnoreCase)
                && !name[..^pattern.WildcardSuffix.Length].Contains('.', StringComparison.Ordinal),
            _ => true,
        };
    }

    /// <summary>The host as the contract prints it: the name, "*.suffix", or "" for rules without host.</summary>
    public static string HostText(HostPattern host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Kind == HostKind.Any ? string.Empty : host.Value;
    }

    /// <summary>The i of "spec.rules[i]...", or null for spec.defaultBackend and the implied 404.</summary>
    public static int? RuleOf(Route? route)
    {
        const string prefix = "spec.rules[";
        if (route is null || !route.Field.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        int close = route.Field.IndexOf(']', prefix.Length);
        return close > 0 && int.TryParse(route.Field.AsSpan(prefix.Length, close - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int rule) ? rule : null;
    }

    /// <summary>Where the redirect sends the request: same host and path, the action's scheme, its port unless the scheme's default.</summary>
    private static string Location(RedirectAction redirect, ExplainRequest request)
    {
        bool defaultPort = (redirect.Scheme, redirect.Port) is ("https", 443) or ("http", 80);
        string port = defaultPort ? string.Empty : ":" + redirect.Port.ToString(CultureInfo.InvariantCulture);
        return $"{redirect.Scheme}://{request.Host}{port}{request.Path}";
    }

    private static ObjectRef? IngressOf(Route? route) => route?.Source;

    private static string PrecedenceReason(Route winner, Route loser) =>
        winner.Match.Kind == PathKind.Exact && loser.Match.Kind != PathKind.Exact
            ? $"Exact {winner.Match.Path} comes before any Prefix or Regex"
            : loser.Source is null || loser.Field == "spec.defaultBackend"
                ? $"the catch-all serves only what no rule matches"
                : winner.Match.Kind == PathKind.Prefix && loser.Match.Kind == PathKind.Prefix
                    ? $"Prefix {winner.Match.Path} is longer than {loser.Match.Path}"
                    : $"{winner.Match} comes first (Prefix and Regex paths are tried longest path text first)";

    /// <summary>
    /// The Ingresses that claimed the same host, path and type later and lost to the route's (older) owner. The model
    /// keeps only the winner; the loser is known from the build's diagnostic on it, whose message begins with the
    /// match and the host as ModelBuilder writes it.
    /// </summary>
    private static IEnumerable<ConsideredRoute> Conflicts(ProxyModel model, VirtualHost host, Route route)
    {
        string claim = $"{route.Match} on host {host.Host} is already served by";
        return model.Diagnostics
            .Where(d => d.Message.StartsWith(claim, StringComparison.Ordinal))
            .Select(d => new ConsideredRoute(
                "conflict",
                HostText(host.Host),
                route.Match.Path,
                route.Match.Kind.ToString(),
                d.Target,
                RuleOf(route with { Field = d.Field }),
                $"{route.Source} is older and claimed {route.Match} first"));
    }
}
