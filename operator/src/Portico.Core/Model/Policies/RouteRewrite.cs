namespace Portico.Core.Model.Policies;

/// <summary>
/// A path rewrite: either the matched prefix is replaced (<see cref="ReplacePrefix"/>, IngressPolicy
/// rewrite.replacePrefixMatch, Prefix and Exact routes), or the whole path is replaced by a template that may use the
/// regex path's capture groups (<see cref="Template"/>, ingress-nginx rewrite-target). Exactly one is set.
/// </summary>
public sealed record RouteRewrite(string? ReplacePrefix, RewriteTarget? Template)
{
    public static RouteRewrite Prefix(string replacement) => new(replacement, null);

    public static RouteRewrite Whole(RewriteTarget template) => new(null, template);
}
