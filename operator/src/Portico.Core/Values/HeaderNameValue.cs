using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>
/// An HTTP field name: an RFC 9110 token made of letters, digits, "-", "_" and "." only, at most 256 characters. The
/// token grammar also allows <c>!#$%&amp;'*+^`|~</c>; no header in use needs them, and several mean something to
/// nginx ("$" starts a variable) or to a config reader, so they are refused. Names compare case-insensitively, so
/// they are kept in lowercase, as HTTP/2 sends them.
/// </summary>
public static partial class HeaderNameValue
{
    public const int MaxLength = 256;

    public static bool TryParse(string? text, out string name)
    {
        name = string.Empty;
        if (text is null || text.Length > MaxLength || !Token().IsMatch(text))
        {
            return false;
        }

        name = text.ToLowerInvariant();
        return true;
    }

    public const string Rule = "must be an HTTP header name of letters, digits, \"-\", \"_\" and \".\" (at most 256 characters)";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
