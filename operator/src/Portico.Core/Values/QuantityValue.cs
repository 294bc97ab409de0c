using System.Globalization;
using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>
/// A byte size as Kubernetes quantities and ingress-nginx write it: a whole number with an optional suffix, binary
/// (Ki, Mi, Gi) or decimal (k, M, G), plus nginx's lowercase "m" and "g" (mebi-, gibibytes, as in proxy-body-size
/// "8m"); "0" means no limit. At most 1 TiB.
/// </summary>
public static partial class QuantityValue
{
    public const string Rule = "must be a size such as 1048576, 512Ki, 8Mi, 1G or 8m (a whole number with Ki, Mi, Gi, k, M, G, m or g), at most 1 TiB";

    private const long MaxBytes = 1L << 40;

    public static bool TryParseBytes(string? text, out long bytes)
    {
        bytes = 0;
        if (text is null || Pattern().Match(text) is not { Success: true } match
            || !long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
        {
            return false;
        }

        long unit = match.Groups[2].Value switch
        {
            "Ki" => 1L << 10,
            "Mi" or "m" => 1L << 20,
            "Gi" or "g" => 1L << 30,
            "k" => 1_000,
            "M" => 1_000_000,
            "G" => 1_000_000_000,
            _ => 1,
        };
        if (amount > MaxBytes / unit)
        {
            return false;
        }

        bytes = amount * unit;
        return true;
    }

    [GeneratedRegex("^([0-9]{1,13})(Ki|Mi|Gi|k|M|G|m|g)?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
