using System.Globalization;
using System.Text;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The routing family of a location (issue 10): the path rewrites it applies before proxying, as nginx
/// <c>rewrite REGEX REPLACEMENT break;</c> lines (<see cref="Rewrites"/>, tried in order; the first that matches
/// rewrites and stops). They are printed right before proxy_pass, after every other rewrite-module directive of the
/// location ("set $portico_route", policy checks), because "break" ends that module's processing.
/// </summary>
public sealed record NginxRoutingView(IReadOnlyList<NginxRewriteView> Rewrites)
{
    public static NginxRoutingView None { get; } = new([]);

    /// <summary>
    /// The rewrites for a request that <paramref name="match"/> took (ADR 0008: the model decided the rewrite, this
    /// only spells it): a template replaces the whole path (its $1..$9 from the regex path's captures); a prefix
    /// replacement replaces the matched prefix element-wise ("/p" -> R, "/p/x" -> R + "/x", a trailing "/" of R
    /// dropped first, so never "//x"); on an Exact path the whole path becomes R.
    /// </summary>
    public static NginxRoutingView For(PathMatch match, RouteRewrite? rewrite)
    {
        if (rewrite is null)
        {
            return None;
        }

        if (rewrite.Template is { } template)
        {
            string regex = match.Kind == PathKind.Regex ? match.AnchoredPattern! : "^";
            return new([new NginxRewriteView(regex, Replacement(template))]);
        }

        string replacement = rewrite.ReplacePrefix!;
        switch (match.Kind)
        {
            case PathKind.Exact:
                return new([new NginxRewriteView("^", replacement)]);
            case PathKind.Prefix:
                string prefix = match.IsRootPrefix ? string.Empty : RegexLiteral(match.Path);
                string kept = replacement.TrimEnd('/');
                if (kept.Length == 0)
                {
                    // "/p" -> "/", "/p/x" -> "/x" (and "/" -> "/" for the root: nothing to do).
                    return match.IsRootPrefix ? None : new([new NginxRewriteView($"(?s)^{prefix}/?(.*)", "/$1")]);
                }

                return new([new NginxRewriteView($"(?s)^{prefix}(.*)", kept + "$1")]);
            default:
                throw new TemplateException($"nginx cannot rewrite {match} with a prefix replacement");
        }
    }

    /// <summary>A path written as a regular expression matching exactly it (path characters; the metacharacters among them escaped).</summary>
    public static string RegexLiteral(string path)
    {
        var builder = new StringBuilder(path.Length + 8);
        foreach (char c in path)
        {
            if (c is '.' or '(' or ')' or '*' or '+' or '?' or '[' or ']' or '{' or '}' or '|' or '^' or '$' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>An nginx rewrite replacement: literal path text and "$N" for capture N.</summary>
    private static string Replacement(RewriteTarget template) =>
        string.Concat(template.Segments.Select(s => s.Group == 0 ? s.Literal : "$" + s.Group.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>One <c>rewrite REGEX REPLACEMENT break;</c>: printed with ngx.regex and ngx.replacement.</summary>
public sealed record NginxRewriteView(string Regex, string Replacement);

/// <summary>A location that answers with a redirect: <c>return STATUS URL;</c>, the URL printed with ngx.redirect_url.</summary>
public sealed record NginxReturnView(int Status, string Url)
{
    /// <summary>
    /// The URL nginx builds for <paramref name="redirect"/>: the set parts as text, the kept ones from the request
    /// (${scheme}, ${host}, ${request_uri}, ${is_args}${args}: the raw request line's path and query, never the
    /// decoded $uri, so no decoded CR/LF can reach the Location header).
    /// </summary>
    public static NginxReturnView For(UrlRedirectAction redirect)
    {
        string port = redirect.Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : string.Empty;
        string rest = redirect.Path is null
            ? "${request_uri}"
            : redirect.Path + (redirect.Query is null ? "${is_args}${args}" : redirect.Query.Length > 0 ? "?" + redirect.Query : string.Empty);
        return new(redirect.Status, $"{redirect.Scheme ?? "${scheme}"}://{redirect.Host ?? "${host}"}{port}{rest}");
    }
}
