using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Building.Policies;

/// <summary>
/// Turns what an Ingress's routes on one host are asked to enforce (the merged IngressPolicies, then its ingress-nginx
/// annotations for the fields no policy sets) into the <see cref="RoutePolicy"/> the renderers translate.
/// </summary>
internal static class RoutePolicyResolver
{
    /// <summary>Field by field: a policy's value wins over the annotation's (docs/policies.md).</summary>
    public static PolicySpec? Overlay(PolicySpec? policies, PolicySpec? annotations)
    {
        if (policies is null || annotations is null)
        {
            return policies ?? annotations;
        }

        var merged = policies;
        foreach (var (_, get, take) in PolicyMerger.Fields)
        {
            if (get(merged) is null && get(annotations) is not null)
            {
                merged = take(merged, annotations);
            }
        }

        return merged;
    }

    /// <summary>
    /// The route policy for <paramref name="spec"/> and the annotations' routing facts. Fields that need references
    /// resolved (basic auth, external auth, traffic split) are not handled here, nor redirects (they replace the
    /// route's action: <see cref="Redirect"/>).
    /// </summary>
    public static RoutePolicy Resolve(PolicySpec? spec, IngressNginxRouting routing, BuildOptions options)
    {
        if (spec is null && routing == IngressNginxRouting.None)
        {
            // Most routes: no copies of the empty policy (a build resolves every route, issue 13).
            return RoutePolicy.None;
        }

        var policy = RoutePolicy.None;
        if (spec is not null)
        {
            policy = policy with
            {
                RequestHeaders = spec.RequestHeaders,
                ResponseHeaders = spec.ResponseHeaders,
                Cors = spec.Cors,
                IpAccess = spec.IpAccess,
                RateLimit = spec.RateLimit,
                Rewrite = spec.RewritePrefix is { } prefix ? RouteRewrite.Prefix(prefix) : null,
                Timeouts = spec.Timeouts,
                Retries = spec.Retries,
                MaxRequestBodyBytes = spec.MaxRequestBodyBytes,
                SessionAffinity = spec.SessionAffinity,
                LoadBalancing = spec.LoadBalancing,
                HttpsRedirect = spec.HttpsRedirect == true ? new RedirectAction("https", options.HttpsRedirectPort, 308) : null,
            };
        }

        return policy with
        {
            // IngressPolicy rewrite.replacePrefixMatch wins over ingress-nginx rewrite-target.
            Rewrite = policy.Rewrite ?? (routing.Rewrite is { } template ? RouteRewrite.Whole(template) : null),
            Retries = policy.Retries ?? (routing.NextUpstream is { } next ? Retries(next) : null),
            LimitConnections = routing.LimitConnections,
            BackendProtocol = routing.BackendProtocol,
            Buffering = routing.ProxyBuffering is null && routing.ProxyBufferSizeBytes is null && routing.ProxyRequestBuffering is null
                ? null
                : new BufferingRule(routing.ProxyBuffering, routing.ProxyBufferSizeBytes, routing.ProxyRequestBuffering),
        };
    }

    /// <summary>
    /// The redirect a route answers with instead of its action, or null: the IngressPolicy <c>redirect</c> (unset parts
    /// keep the request's), else ingress-nginx permanent-redirect / temporal-redirect (a fixed URL).
    /// </summary>
    public static UrlRedirectAction? Redirect(PolicySpec? spec, IngressNginxRouting routing)
    {
        if (spec?.Redirect is { } rule)
        {
            return new UrlRedirectAction(rule.Scheme, rule.Hostname, rule.Port, rule.Path, null, rule.StatusCode);
        }

        if (routing.Redirect is { } target)
        {
            var url = target.Url;
            return new UrlRedirectAction(url.Scheme, url.Host, url.IsDefaultPort ? null : url.Port, url.AbsolutePath, url.Query.TrimStart('?'), target.StatusCode);
        }

        return null;
    }

    /// <summary>
    /// ingress-nginx proxy-next-upstream(-tries) as a retry rule: "off" is no retry; "error" is a connect failure or a
    /// reset, "timeout" a connect failure (the Envoy sense: the endpoint could not be reached in time); http_502,
    /// http_503 and http_504 together are a gateway error, with http_500 any 5xx. Tries count the first attempt
    /// (default 3 as ingress-nginx). Conditions without a counterpart are ignored (<see cref="UnmappedNextUpstream"/>).
    /// </summary>
    public static RetryRule Retries(NextUpstreamRule next)
    {
        var on = next.On ?? [NextUpstreamCondition.Error, NextUpstreamCondition.Timeout];
        if (on.IsEmpty)
        {
            return new RetryRule(0, null, []);
        }

        var conditions = new SortedSet<RetryCondition>();
        if (on.Contains(NextUpstreamCondition.Error))
        {
            conditions.Add(RetryCondition.ConnectFailure);
            conditions.Add(RetryCondition.Reset);
        }

        if (on.Contains(NextUpstreamCondition.Timeout))
        {
            conditions.Add(RetryCondition.ConnectFailure);
        }

        bool gateway = on.Contains(NextUpstreamCondition.Http502) && on.Contains(NextUpstreamCondition.Http503) && on.Contains(NextUpstreamCondition.Http504);
        if (gateway)
        {
            conditions.Add(on.Contains(NextUpstreamCondition.Http500) ? RetryCondition.ServerError : RetryCondition.GatewayError);
        }

        return new RetryRule((next.Tries ?? 3) - 1, null, [.. conditions]);
    }

    /// <summary>The proxy-next-upstream settings <see cref="Retries"/> cannot express, by their ingress-nginx names.</summary>
    public static List<string> UnmappedNextUpstream(NextUpstreamRule next)
    {
        var on = next.On ?? [];
        bool gateway = on.Contains(NextUpstreamCondition.Http502) && on.Contains(NextUpstreamCondition.Http503) && on.Contains(NextUpstreamCondition.Http504);
        var unmapped = on
            .Where(c => c is NextUpstreamCondition.InvalidHeader or NextUpstreamCondition.Http403 or NextUpstreamCondition.Http404 or NextUpstreamCondition.Http429 or NextUpstreamCondition.NonIdempotent
                || (!gateway && c is NextUpstreamCondition.Http500 or NextUpstreamCondition.Http502 or NextUpstreamCondition.Http503 or NextUpstreamCondition.Http504))
            .Select(c => c switch
            {
                NextUpstreamCondition.InvalidHeader => "invalid_header",
                NextUpstreamCondition.NonIdempotent => "non_idempotent",
                _ => "http_" + c.ToString()[4..],
            })
            .ToList();
        if (next.Timeout is not null)
        {
            unmapped.Add("proxy-next-upstream-timeout");
        }

        return unmapped;
    }
}
