using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>
/// An HTTP field value Portico will send: printable ASCII and spaces (RFC 9110 field-content without the obsolete
/// non-ASCII octets), no leading or trailing space, at most 4096 characters. No control character of any kind gets
/// through, so a value cannot end a header, a line of config, or a log line.
/// </summary>
public static partial class HeaderValueText
{
    public const int MaxLength = 4096;

    public const string Rule = "must be printable ASCII (spaces inside, not at either end), at most 4096 characters";

    public static bool IsValid(string? text) => text is not null && text.Length <= MaxLength && (text.Length == 0 || FieldContent().IsMatch(text));

    [GeneratedRegex(@"^[\x21-\x7E]([\x20-\x7E]*[\x21-\x7E])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex FieldContent();
}
