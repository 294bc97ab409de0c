namespace Portico.Core.Model;

/// <summary>
/// A validated path match. Prefix paths are canonical: no trailing slash, except the root "/".
/// Ordered by precedence: Exact before Prefix, then longer before shorter, then ordinal.
/// </summary>
public sealed record PathMatch(PathKind Kind, string Path) : IComparable<PathMatch>
{
    public bool IsRootPrefix => Kind == PathKind.Prefix && Path == "/";

    /// <summary>True when <paramref name="path"/> (a request path, query removed) matches: Exact equal; Prefix element-wise.</summary>
    public bool Matches(string path) =>
        Kind == PathKind.Exact
            ? path == Path
            : IsRootPrefix || path == Path || (path.StartsWith(Path, StringComparison.Ordinal) && path.Length > Path.Length && path[Path.Length] == '/');

    public int CompareTo(PathMatch? other)
    {
        if (other is null)
        {
            return 1;
        }

        int byKind = Kind.CompareTo(other.Kind);
        if (byKind != 0)
        {
            return byKind;
        }

        int byLength = other.Path.Length.CompareTo(Path.Length);
        return byLength != 0 ? byLength : string.CompareOrdinal(Path, other.Path);
    }

    public override string ToString() => $"{Kind} {Path}";
}
