using System.Text.RegularExpressions;

namespace Portico.Core.Model;

/// <summary>
/// A validated path match. Prefix paths are canonical: no trailing slash, except the root "/". Regex paths are in
/// Portico's dialect (checked by the builder). Ordered by precedence, first match wins: every Exact first (longer,
/// then ordinal); then Prefix and Regex paths together, longer path text first (ingress-nginx orders its regex
/// locations by path length), then ordinal, then Regex before Prefix. Among prefixes that is the longest prefix.
/// </summary>
public sealed record PathMatch(PathKind Kind, string Path) : IComparable<PathMatch>
{
    private Regex? _regex;

    public bool IsRootPrefix => Kind == PathKind.Prefix && Path == "/";

    /// <summary>
    /// The pattern a regex path is run as by every proxy: anchored at the start, not at the end
    /// ("^(?:PATH)"); null for other kinds.
    /// </summary>
    public string? AnchoredPattern => Kind == PathKind.Regex ? "^(?:" + Path + ")" : null;

    /// <summary>
    /// True when <paramref name="path"/> (a request path, query removed) matches: Exact equal; Prefix element-wise;
    /// Regex the anchored pattern finds a match at the start (case-sensitive, linear time).
    /// </summary>
    public bool Matches(string path) => Kind switch
    {
        PathKind.Exact => path == Path,
        PathKind.Regex => Compiled.IsMatch(path),
        _ => IsRootPrefix || path == Path || (path.StartsWith(Path, StringComparison.Ordinal) && path.Length > Path.Length && path[Path.Length] == '/'),
    };

    private Regex Compiled => _regex ??= new Regex(AnchoredPattern!, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public int CompareTo(PathMatch? other)
    {
        if (other is null)
        {
            return 1;
        }

        bool exact = Kind == PathKind.Exact;
        if (exact != (other.Kind == PathKind.Exact))
        {
            return exact ? -1 : 1;
        }

        int byLength = other.Path.Length.CompareTo(Path.Length);
        if (byLength != 0)
        {
            return byLength;
        }

        int byText = string.CompareOrdinal(Path, other.Path);
        return byText != 0 ? byText : other.Kind.CompareTo(Kind);
    }

    // The compiled regex is a cache: equality and hashing are by kind and path only.
    public bool Equals(PathMatch? other) => other is not null && Kind == other.Kind && Path == other.Path;

    public override int GetHashCode() => HashCode.Combine(Kind, Path);

    public override string ToString() => $"{Kind} {Path}";
}
