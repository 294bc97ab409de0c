using System.Text;

namespace Portico.Core.Rendering;

/// <summary>
/// The regular expression, in the part of the syntax PCRE (nginx) and RE2 (Envoy) read alike, that matches a whole
/// Cookie header carrying a cookie NAME with exactly VALUE: <c>^(.*;)?\s*NAME=VALUE(;.*)?$</c>. Cookies are split on
/// ";" and the name compared case-sensitively, as the Lua does (<c>templates/nginx/_lua.scriban</c>), so nginx with
/// and without Lua and Envoy decide alike.
/// </summary>
public static class SelectorPatterns
{
    public static string Cookie(string name, string value) => @"^(.*;)?\s*" + Literal(name) + "=" + Literal(value) + "(;.*)?$";

    /// <summary>Printable ASCII as a regex that matches exactly it: every character but letters and digits escaped when it is a metacharacter.</summary>
    public static string Literal(string text)
    {
        var builder = new StringBuilder(text.Length * 2);
        foreach (char c in text)
        {
            if (c is < ' ' or > '~')
            {
                throw new TemplateException($"{Model.Printable.Quote(text)} cannot be written into a regular expression: it holds a control or non-ASCII character");
            }

            if (c is '.' or '(' or ')' or '*' or '+' or '?' or '[' or ']' or '{' or '}' or '|' or '^' or '$' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
