namespace Portico.Core.Model.Policies;

/// <summary>
/// ingress-nginx's rewrite-target: the whole request path is replaced by this template, whose captures refer to the
/// groups of the matched path's regular expression (so "/" alone rewrites every matched path to "/", as in
/// ingress-nginx). Literal parts hold only path characters (no "$", quotes, spaces, ";", braces, "#" or "?").
/// </summary>
public sealed record RewriteTarget(EquatableArray<RewriteSegment> Segments)
{
    /// <summary>The highest capture group referred to; 0 when there is none.</summary>
    public int HighestGroup => Segments.Select(s => s.Group).DefaultIfEmpty(0).Max();

    /// <summary>The template as ingress-nginx writes it ("/$2/x").</summary>
    public override string ToString() => string.Concat(Segments.Select(s => s.Group == 0 ? s.Literal : "$" + s.Group.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
