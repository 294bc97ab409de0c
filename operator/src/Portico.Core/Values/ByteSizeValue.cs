using System.Globalization;
using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>Parses sizes written as "512", "64k", "1m", "2g" (bytes, KiB, MiB, GiB) into a byte count.</summary>
public static partial class ByteSizeValue
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        var match = text is null ? null : Pattern().Match(text);
        if (match is not { Success: true } || !long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
        {
            return false;
        }

        int shift = match.Groups[2].Value.ToLowerInvariant() switch { "k" => 10, "m" => 20, "g" => 30, _ => 0 };
        if (amount > (long.MaxValue >> (shift + 1)))
        {
            return false;
        }

        bytes = amount << shift;
        return true;
    }

    public static long Parse(string text, string what) =>
        TryParse(text, out long bytes) ? bytes : throw new FormatException($"{what}: \"{text}\" is not a size such as 512, 64k, 1m or 2g");

    [GeneratedRegex("^([0-9]{1,12})([kKmMgG]?)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
