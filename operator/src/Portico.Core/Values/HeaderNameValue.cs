using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>
/// An HTTP field name: an RFC 9110 token (letters, digits and <c>!#%&amp;'*+-.^_`|~</c>), at most 256 characters,
/// except "$", which the token grammar allows but nginx would read as the start of a variable. Names compare
/// case-insensitively, so they are kept in lowercase, as HTTP/2 sends them.
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

    public const string Rule = "must be an HTTP header name (an RFC 9110 token without \"$\": letters, digits and !#%&'*+-.^_`|~, at most 256 characters)";

    [GeneratedRegex(@"^[!#%&'*+\-.^_`|~0-9A-Za-z]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
