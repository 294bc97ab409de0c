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
}
