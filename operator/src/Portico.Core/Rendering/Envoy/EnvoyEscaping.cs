using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Portico.Core.Model;

namespace Portico.Core.Rendering.Envoy;

/// <summary>
/// The helpers Envoy templates print every string through (defence in depth: values are validated before they get
/// here). Each returns a complete JSON string literal, quotes included, or refuses by throwing: a refused value fails
/// the whole render, and the last good configuration stays in place. Templates never print a string any other way.
/// </summary>
public static partial class EnvoyEscaping
{
    /// <summary>
    /// Any string as a JSON literal: quote and backslash escaped, everything outside printable ASCII as \uXXXX.
    /// Control characters are refused outright: no Envoy value Portico writes may hold one.
    /// </summary>
    public static string Str(string? value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                throw Refuse(value, "it holds a control character");
            }

            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case > '~':
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>
    /// Text of several lines (an htpasswd) as a JSON literal: as <see cref="Str"/>, with line feeds allowed (written
    /// "\n"); every other control character is refused.
    /// </summary>
    public static string Lines(string? value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Join("\\n", value.Split('\n').Select(line => Str(line)[1..^1])).Insert(0, "\"") + "\"";
    }

    /// <summary>A resource or cluster name, file path or address: letters, digits and "_.:-/*[]" only.</summary>
    public static string Name(string? value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SafeName().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal) ? Str(value) : throw Refuse(value, "it is not a safe name");
    }

    /// <summary>A virtual host domain or TLS server name: a lowercase DNS name, "*.suffix", or "*" alone.</summary>
    public static string Domain(string? value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string name = value.StartsWith("*.", StringComparison.Ordinal) ? value[2..] : value;
        return value == "*" || HostName().IsMatch(name) ? Str(value) : throw Refuse(value, "it is not a DNS name or wildcard");
    }

    /// <summary>A route path: starts with '/', RFC 3986 path characters only (no '?', '#', '%', quotes or spaces).</summary>
    public static string Path(string? value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return RoutePath().IsMatch(value) ? Str(value) : throw Refuse(value, "it is not a safe request path");
    }

    /// <summary>
    /// The RE2 regex a wildcard host's routes put on <c>:authority</c>: exactly one DNS label before the suffix, an
    /// optional port, any letter case. Envoy's own "*.foo.com" domain matches any depth; this narrows it to Ingress's
    /// one label. "*.foo.com" gives <c>(?i)^[^.]+\.foo\.com(:[0-9]+)?$</c>.
    /// </summary>
    public static string AuthorityRegex(string? wildcardHost)
    {
        ArgumentNullException.ThrowIfNull(wildcardHost);
        if (!wildcardHost.StartsWith("*.", StringComparison.Ordinal) || !HostName().IsMatch(wildcardHost[2..]))
        {
            throw Refuse(wildcardHost, "it is not a wildcard host \"*.suffix\"");
        }

        return Str("(?i)^[^.]+" + wildcardHost[1..].Replace(".", "\\.", StringComparison.Ordinal) + "(:[0-9]+)?$");
    }

    private static TemplateException Refuse(string value, string why) =>
        new($"value {Printable.Quote(value)} cannot be written into Envoy config: {why}");

    [GeneratedRegex(@"^[A-Za-z0-9_.:\[\]/*-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeName();

    // Lowercase DNS labels of 1-63 characters joined by single dots (no empty label, no leading or trailing dot or hyphen).
    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();

    [GeneratedRegex(@"^/[A-Za-z0-9\-._~!&()*+,=:@/]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoutePath();
}
