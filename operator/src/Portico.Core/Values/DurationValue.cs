using System.Globalization;
using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>Parses durations written as "250ms", "5s", "2m", "1h" (one number, one unit) into a TimeSpan.</summary>
public static partial class DurationValue
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var match = text is null ? null : Pattern().Match(text);
        if (match is not { Success: true } || !long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long amount) || amount > 1_000_000_000)
        {
            return false;
        }

        value = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromHours(amount),
        };
        return true;
    }

    public static TimeSpan Parse(string text, string what) =>
        TryParse(text, out var value) ? value : throw new FormatException($"{what}: \"{text}\" is not a duration such as 250ms, 5s, 2m or 1h");

    [GeneratedRegex("^([0-9]{1,10})(ms|s|m|h)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
