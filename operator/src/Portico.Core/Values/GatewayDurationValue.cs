using System.Globalization;
using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>
/// Durations as the Gateway API writes them (GEP-2257): one to four parts of a number and a unit, "1h", "1m30s",
/// "500ms", "1h2m3s4ms"; units h, m, s, ms, each number at most five digits.
/// </summary>
public static partial class GatewayDurationValue
{
    public const string Rule = "must be a duration such as 500ms, 30s, 1m30s or 1h (GEP-2257: up to four parts of up to 5 digits with h, m, s or ms)";

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text is null || !Whole().IsMatch(text))
        {
            return false;
        }

        foreach (Match part in Part().Matches(text))
        {
            long amount = long.Parse(part.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
            value += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                _ => TimeSpan.FromMilliseconds(amount),
            };
        }

        return true;
    }

    [GeneratedRegex("^([0-9]{1,5}(h|m|s|ms)){1,4}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    [GeneratedRegex("([0-9]{1,5})(ms|h|m|s)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
