using System.Globalization;
using System.Text;

namespace Portico.Core.Model;

/// <summary>Makes user strings safe to show in one line of a log, an Event or a terminal.</summary>
public static class Printable
{
    public const int MaxShownLength = 120;

    /// <summary>Escapes control and separator characters as \uXXXX and cuts long values, so what is shown is one honest line.</summary>
    public static string Escape(string? value)
    {
        if (value is null)
        {
            return "<null>";
        }

        var builder = new StringBuilder(Math.Min(value.Length, MaxShownLength) + 8);
        foreach (char c in value.Length > MaxShownLength ? value[..MaxShownLength] : value)
        {
            UnicodeCategory category = char.GetUnicodeCategory(c);
            bool unsafeChar = char.IsControl(c)
                || category is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                    or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned
                || c == '\\';
            if (unsafeChar)
            {
                builder.Append(c == '\\' ? "\\\\" : $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        if (value.Length > MaxShownLength)
        {
            builder.Append(CultureInfo.InvariantCulture, $"...({value.Length} chars)");
        }

        return builder.ToString();
    }

    /// <summary>Escape, then wrap in double quotes; for quoting a rejected value inside a message.</summary>
    public static string Quote(string? value) => value is null ? "<null>" : "\"" + Escape(value).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
