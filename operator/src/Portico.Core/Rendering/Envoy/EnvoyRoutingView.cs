using System.Globalization;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Rendering.Envoy;

/// <summary>
/// The routing family of one Envoy route (issue 10), the same decisions nginx spells in NginxRoutingView: a path
/// rewrite as <c>prefix_rewrite</c> (<see cref="PrefixRewrite"/>) or <c>regex_rewrite</c> (<see cref="RegexPattern"/>
/// replaced by <see cref="Substitution"/>, captures as \1..\9); at most one is set.
/// </summary>
internal sealed record EnvoyRewriteView(string? PrefixRewrite, string? RegexPattern, string? Substitution)
{
    /// <summary>The regex a route's path is matched with: RE2 must match the whole path, so the anchored pattern is followed by ".*".</summary>
    public static string MatchPattern(PathMatch match) => match.AnchoredPattern! + ".*";

    public static EnvoyRewriteView? For(PathMatch match, RouteRewrite? rewrite)
    {
        if (rewrite is null)
        {
            return null;
        }

        if (rewrite.Template is { } template)
        {
            string substitution = string.Concat(template.Segments.Select(s => s.Group == 0 ? s.Literal : "\\" + s.Group.ToString(CultureInfo.InvariantCulture)));
            return new(null, match.Kind == PathKind.Regex ? MatchPattern(match) : "^.*", substitution);
        }

        string replacement = rewrite.ReplacePrefix!;
        string kept = replacement.TrimEnd('/');
        return match.Kind switch
        {
            PathKind.Exact => new(null, "^.*", replacement),
            PathKind.Prefix when match.IsRootPrefix => kept.Length == 0 ? null : new(kept + "/", null, null),
            PathKind.Prefix when kept.Length == 0 => new(null, "^" + Nginx.NginxRoutingView.RegexLiteral(match.Path) + "/?", "/"),
            PathKind.Prefix => new(kept, null, null),
            _ => throw new TemplateException($"Envoy cannot rewrite {match} with a prefix replacement"),
        };
    }
}

/// <summary>
/// A route's own redirect (UrlRedirectAction): set parts replace the request's. <see cref="PathRedirect"/> carries the
/// query when one replaces the request's; <see cref="StripQuery"/> drops the request's. <see cref="ResponseCode"/> is
/// the RedirectResponseCode enum name.
/// </summary>
internal sealed record EnvoyRedirectView(string? SchemeRedirect, string? HostRedirect, int? PortRedirect, string? PathRedirect, bool StripQuery, string ResponseCode)
{
    public static EnvoyRedirectView For(UrlRedirectAction redirect) => new(
        redirect.Scheme,
        redirect.Host,
        redirect.Port,
        redirect.Path is null ? null : redirect.Path + (redirect.Query is { Length: > 0 } query ? "?" + query : string.Empty),
        redirect.Path is not null && redirect.Query is { Length: 0 },
        redirect.Status switch
        {
            301 => "MOVED_PERMANENTLY",
            302 => "FOUND",
            303 => "SEE_OTHER",
            307 => "TEMPORARY_REDIRECT",
            308 => "PERMANENT_REDIRECT",
            _ => throw new TemplateException($"Envoy has no redirect response code {redirect.Status}"),
        });
}
