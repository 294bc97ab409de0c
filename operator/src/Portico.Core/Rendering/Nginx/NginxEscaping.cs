using System.Text;
using System.Text.RegularExpressions;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The escaping helpers nginx templates use on every value (defence in depth: values are validated before they get
/// here). Each refuses, by throwing, anything it cannot make safe; a refused value fails the whole render, and the
/// last good configuration stays in place.
/// </summary>
public static partial class NginxEscaping
{
    /// <summary>A double-quoted nginx string. Backslash and quote are escaped; '$' and control characters are refused.</summary>
    public static string Str(string? value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            if (c == '$' || char.IsControl(c) || c > '~')
            {
                throw new TemplateException($"value {Model.Printable.Quote(value)} cannot be written into nginx config: it holds '$', a control or non-ASCII character");
            }

            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.Append('"').ToString();
    }

    /// <summary>
    /// A double-quoted nginx string holding a variable's value, a separator and a literal: <c>"${VARIABLE}, VALUE"</c>.
    /// The variable name is letters, digits and "_" only; the rest is escaped as <see cref="Str"/> does.
    /// </summary>
    public static string StrAfterVariable(string? variable, string? separator, string? value)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (!VariableName().IsMatch(variable))
        {
            throw new TemplateException($"{Model.Printable.Quote(variable)} is not a safe nginx variable name");
        }

        return "\"${" + variable + "}" + Str(separator + value)[1..];
    }

    /// <summary>
    /// A double-quoted nginx string with one variable between two literals: <c>"PREFIX${VARIABLE}SUFFIX"</c> (the
    /// literals escaped as <see cref="Str"/> does, the variable name letters, digits and "_" only).
    /// </summary>
    public static string StrAroundVariable(string? prefix, string? variable, string? suffix)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (!VariableName().IsMatch(variable))
        {
            throw new TemplateException($"{Model.Printable.Quote(variable)} is not a safe nginx variable name");
        }

        return Str(prefix)[..^1] + "${" + variable + "}" + Str(suffix)[1..];
    }

    /// <summary>
    /// A double-quoted regular expression (a location or rewrite regex, where nginx expands no variables): as
    /// <see cref="Str"/>, but '$' (an anchor) is allowed.
    /// </summary>
    public static string Regex(string? value) => Quoted(value, _ => true, "a regular expression");

    /// <summary>A double-quoted rewrite replacement: as <see cref="Str"/>, but '$' is allowed as "$1".."$9" (a capture) only.</summary>
    public static string Replacement(string? value) => Quoted(value, (text, at) => at + 1 < text.Length && text[at + 1] is >= '1' and <= '9', "a rewrite replacement");

    /// <summary>A double-quoted redirect URL: as <see cref="Str"/>, but '$' is allowed as ${scheme}, ${host}, ${request_uri}, ${is_args} and ${args} only.</summary>
    public static string RedirectUrl(string? value) => Quoted(value, (text, at) => RedirectVariables.Any(v => string.CompareOrdinal(text, at, v, 0, v.Length) == 0), "a redirect URL");

    private static readonly string[] RedirectVariables = ["${scheme}", "${host}", "${request_uri}", "${is_args}", "${args}"];

    private static string Quoted(string? value, Func<string, int, bool> dollarAllowed, string what) => Quoted(value, at => dollarAllowed(value!, at), what);

    private static string Quoted(string? value, Func<int, bool> dollarAllowed, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2).Append('"');
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if ((c == '$' && !dollarAllowed(i)) || char.IsControl(c) || c > '~')
            {
                throw new TemplateException($"value {Model.Printable.Quote(value)} cannot be written into nginx config as {what}: it holds a '$' not allowed there, a control or non-ASCII character");
            }

            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.Append('"').ToString();
    }

    /// <summary>A bare word (upstream names, file names, addresses): letters, digits and "_.:-[]/" only.</summary>
    public static string Token(string? value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SafeToken().IsMatch(value)
            ? value
            : throw new TemplateException($"value {Model.Printable.Quote(value)} is not a safe nginx token");
    }

    /// <summary>
    /// A server_name argument. Exact hosts as quoted names; a wildcard "*.foo.com" as the anchored regex
    /// "~^[^.]+\.foo\.com$", because nginx's own "*.foo.com" matches any depth and Ingress's matches one label.
    /// </summary>
    public static string ServerName(string? host, bool wildcard)
    {
        ArgumentNullException.ThrowIfNull(host);
        string name = wildcard ? host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : throw new TemplateException($"wildcard host {Model.Printable.Quote(host)} does not start with \"*.\"") : host;
        if (!HostName().IsMatch(name))
        {
            throw new TemplateException($"host {Model.Printable.Quote(host)} is not a safe server name");
        }

        return wildcard ? "\"~^[^.]+\\." + name.Replace(".", "\\.", StringComparison.Ordinal) + "$\"" : "\"" + name + "\"";
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.:\[\]/-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeToken();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex VariableName();

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();
}
