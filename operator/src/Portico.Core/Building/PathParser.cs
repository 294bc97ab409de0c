using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// Parses an Ingress path and pathType into a <see cref="PathMatch"/>. ImplementationSpecific is defined as
/// Prefix. Paths are ASCII and limited to RFC 3986 path characters without ';', quotes and '$'; no
/// percent-encoding, no empty, "." or ".." segments (proxies normalize request paths, so such a rule could never
/// match, and they are classic injection vectors). A Prefix path loses its trailing slash (the spec ignores it).
/// </summary>
public static class PathParser
{
    public const int MaxPathLength = 1024;

    private const string AllowedPunctuation = "-._~!&()*+,=:@/";

    public static bool TryParse(string? rawPath, string? pathType, out PathMatch match, out string field, out string error)
    {
        match = new PathMatch(PathKind.Prefix, "/");
        field = "pathType";
        error = string.Empty;
        PathKind kind;
        switch (pathType)
        {
            case "Exact":
                kind = PathKind.Exact;
                break;
            case "Prefix" or "ImplementationSpecific":
                kind = PathKind.Prefix;
                break;
            case null or "":
                error = "is required: Exact, Prefix or ImplementationSpecific";
                return false;
            default:
                error = $"{Printable.Quote(pathType)} is not one of Exact, Prefix, ImplementationSpecific";
                return false;
        }

        field = "path";
        string path = string.IsNullOrEmpty(rawPath) && pathType == "ImplementationSpecific" ? "/" : rawPath ?? string.Empty;
        if (!IsValid(path, out error))
        {
            return false;
        }

        if (kind == PathKind.Prefix && path.Length > 1)
        {
            path = path.TrimEnd('/');
        }

        match = new PathMatch(kind, path);
        return true;
    }

    private static bool IsValid(string path, out string error)
    {
        error = string.Empty;
        if (path.Length == 0 || path[0] != '/')
        {
            error = $"{Printable.Quote(path)} must start with '/'";
            return false;
        }

        if (path.Length > MaxPathLength)
        {
            error = $"is longer than {MaxPathLength} characters";
            return false;
        }

        foreach (char c in path)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !AllowedPunctuation.Contains(c, StringComparison.Ordinal))
            {
                error = c == '%'
                    ? $"{Printable.Quote(path)}: percent-encoding is not supported in paths"
                    : $"{Printable.Quote(path)} contains {Describe(c)}, which is not allowed in a path (letters, digits and {AllowedPunctuation} only)";
                return false;
            }
        }

        string[] segments = path[1..].Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            bool trailing = i == segments.Length - 1;
            if ((segments[i].Length == 0 && !trailing) || segments[i] is "." or "..")
            {
                error = $"{Printable.Quote(path)} has an empty, \".\" or \"..\" segment; requests are normalized, so it could never match";
                return false;
            }
        }

        return true;
    }

    private static string Describe(char c) => char.IsControl(c) || c > '~' ? $"the character U+{(int)c:X4}" : $"'{c}'";
}
