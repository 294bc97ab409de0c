using System.Text;
using Portico.TestApiServer.Api;
using Portico.TestApiServer.Json;
using Portico.TestApiServer.Resources;
using Portico.TestApiServer.Storage;

namespace Portico.TestApiServer.Selectors;

/// <summary>
/// A field selector: <c>field=value</c>, <c>field==value</c>, <c>field!=value</c>, comma-joined (AND), with the
/// real server's escapes (<c>\,</c> <c>\=</c> <c>\\</c>). Only the labels the resource supports are accepted —
/// metadata.name, metadata.namespace and the resource's own (e.g. <c>type</c> for Secrets); anything else is the
/// real server's 400 "field label not supported".
/// </summary>
internal sealed class FieldSelector
{
    private static readonly string[] Operators = ["!=", "==", "="];

    private readonly IReadOnlyList<(string Field, string[] Path, bool Equal, string Value)> terms;

    private FieldSelector(IReadOnlyList<(string, string[], bool, string)> terms) => this.terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public bool IsEmpty => terms.Count == 0;

    public bool Matches(StoredObject obj) => terms.All(t => (ValueOf(obj, t.Field, t.Path) == t.Value) == t.Equal);

    public static FieldSelector Parse(string? text, ResourceDefinition resource)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var parsed = new List<(string, string[], bool, string)>();
        foreach (var term in SplitUnescaped(text, ','))
        {
            if (term.Length == 0)
            {
                continue;
            }

            var (field, op, rawValue) = SplitTerm(term)
                ?? throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            field = field.Trim();
            string[] path;
            if (field is "metadata.name" or "metadata.namespace")
            {
                path = field.Split('.');
            }
            else if (!resource.FieldLabels.TryGetValue(field, out path!))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            parsed.Add((field, path, op != "!=", Unescape(rawValue, text)));
        }

        return new FieldSelector(parsed);
    }

    private static string ValueOf(StoredObject obj, string field, string[] path) => field switch
    {
        "metadata.name" => obj.Name,
        "metadata.namespace" => obj.Namespace ?? string.Empty,
        _ => JsonObjects.GetString(obj.Json, path) ?? string.Empty,
    };

    private static List<string> SplitUnescaped(string text, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == separator)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static (string Field, string Op, string Value)? SplitTerm(string term)
    {
        for (var i = 0; i < term.Length; i++)
        {
            if (term[i] == '\\')
            {
                i++;
                continue;
            }

            foreach (var op in Operators)
            {
                if (string.CompareOrdinal(term, i, op, 0, op.Length) == 0)
                {
                    return (term[..i], op, term[(i + op.Length)..]);
                }
            }
        }

        return null;
    }

    private static string Unescape(string value, string selector)
    {
        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\')
            {
                result.Append(value[i]);
                continue;
            }

            if (i + 1 >= value.Length || value[i + 1] is not ('\\' or ',' or '='))
            {
                throw ApiException.BadRequest($"invalid field selector: '{selector}': invalid escape sequence in '{value}'");
            }

            result.Append(value[++i]);
        }

        return result.ToString();
    }
}
