using System.Text.RegularExpressions;

namespace Portico.Core.Values;

/// <summary>
/// Kubernetes' name grammars as anchored whole-value rules: explicit ASCII classes, anchored with \z (never $,
/// which also matches before a trailing newline). A value that passes holds no character that could break out of a config file.
/// </summary>
public static partial class DnsGrammar
{
    public const int MaxLabelLength = 63;
    public const int MaxSubdomainLength = 253;
    public const int MaxPortNameLength = 15;

    /// <summary>RFC 1123 label: namespaces, most names.</summary>
    public static bool IsLabel(string? value) => value is not null && IsLabel(value.AsSpan());

    private static bool IsLabel(ReadOnlySpan<char> value) => value.Length is > 0 and <= MaxLabelLength && Label().IsMatch(value);

    /// <summary>RFC 1035 label: Service names (must start with a letter).</summary>
    public static bool IsServiceName(string? value) => value is { Length: > 0 and <= MaxLabelLength } && Dns1035Label().IsMatch(value);

    /// <summary>RFC 1123 subdomain: Secret names, host names.</summary>
    public static bool IsSubdomain(string? value)
    {
        if (value is not { Length: > 0 and <= MaxSubdomainLength })
        {
            return false;
        }

        // Label by label without splitting: every Ingress, Secret and host name of a build passes here.
        foreach (var range in value.AsSpan().Split('.'))
        {
            if (!IsLabel(value.AsSpan(range)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>IANA service name: port names (at most 15, lowercase, a letter somewhere, no "--", no leading or trailing '-').</summary>
    public static bool IsPortName(string? value) =>
        value is { Length: > 0 and <= MaxPortNameLength }
        && PortName().IsMatch(value)
        && value.Any(char.IsAsciiLetterLower)
        && !value.Contains("--", StringComparison.Ordinal);

    /// <summary>
    /// Lowercases ASCII letters only, for names that match case-insensitively. ToLowerInvariant also maps some
    /// non-ASCII letters onto ASCII ones (U+212A KELVIN SIGN becomes 'k'), which would let a value that is not a DNS
    /// name pass as one; left as they are, such characters fail the grammars here.
    /// </summary>
    public static string ToLowerAscii(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.AsSpan().ContainsAnyInRange('A', 'Z'))
        {
            return value; // the same string, not a copy: host names are kept per route and per host (issue 13: memory)
        }

        return string.Create(value.Length, value, static (lower, text) =>
        {
            for (int i = 0; i < text.Length; i++)
            {
                lower[i] = char.IsAsciiLetterUpper(text[i]) ? (char)(text[i] | 0x20) : text[i];
            }
        });
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PortName();
}
