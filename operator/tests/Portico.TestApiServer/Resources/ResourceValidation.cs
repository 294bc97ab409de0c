using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Portico.TestApiServer.Resources;

/// <summary>
/// The slice of the real server's validation that a controller can trip over: name and label formats, Ingress
/// paths, TLS Secrets. Failures become 422 Invalid with the same field paths and wording as the real server.
/// </summary>
internal static partial class ResourceValidation
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string Dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string Dns1035LabelMessage =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    private const string QualifiedNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();

    /// <summary>The problem with a metadata.name under the resource's rule, or null when it is valid.</summary>
    public static string? NameProblem(string name, NameRule rule) => rule switch
    {
        NameRule.Dns1035Label => name.Length > 63 ? "must be no more than 63 characters" : Dns1035Label().IsMatch(name) ? null : Dns1035LabelMessage,
        NameRule.Dns1123Label => name.Length > 63 ? "must be no more than 63 characters" : Dns1123Label().IsMatch(name) ? null : Dns1123LabelMessage,
        _ => name.Length > 253 ? "must be no more than 253 characters" : Subdomain().IsMatch(name) ? null : SubdomainMessage,
    };

    /// <summary>The problem with a label (or annotation) key — optional DNS-subdomain prefix, "/", name part — or null.</summary>
    public static string? LabelKeyProblem(string key)
    {
        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0 || NameProblem(prefix, NameRule.Subdomain) is not null)
            {
                return "prefix part " + SubdomainMessage;
            }
        }

        if (name.Length == 0)
        {
            return "name part must be non-empty";
        }

        if (name.Length > 63)
        {
            return "name part must be no more than 63 characters";
        }

        return QualifiedNamePart().IsMatch(name) ? null : QualifiedNameMessage;
    }

    public static string? LabelValueProblem(string value) =>
        value.Length > 63 ? "must be no more than 63 characters" : LabelValuePattern().IsMatch(value) ? null : LabelValueMessage;

    /// <summary>Rules common to every kind: metadata.name and metadata.labels.</summary>
    public static IEnumerable<FieldProblem> Common(JsonObject obj, NameRule rule)
    {
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? string.Empty;
        if (NameProblem(name, rule) is { } nameProblem)
        {
            yield return new FieldProblem("metadata.name", "FieldValueInvalid", $"Invalid value: \"{name}\": {nameProblem}");
        }

        if (obj["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                if (LabelKeyProblem(key) is { } keyProblem)
                {
                    yield return new FieldProblem("metadata.labels", "FieldValueInvalid", $"Invalid value: \"{key}\": {keyProblem}");
                }

                var text = value?.GetValue<string>() ?? string.Empty;
                if (LabelValueProblem(text) is { } valueProblem)
                {
                    yield return new FieldProblem("metadata.labels", "FieldValueInvalid", $"Invalid value: \"{text}\": {valueProblem}");
                }
            }
        }
    }

    /// <summary>networking/v1 requires a pathType on every path, and an absolute path for Exact and Prefix.</summary>
    public static IEnumerable<FieldProblem> Ingress(JsonObject ingress)
    {
        if (ingress["spec"]?["rules"] is not JsonArray rules)
        {
            yield break;
        }

        for (var r = 0; r < rules.Count; r++)
        {
            if (rules[r]?["http"]?["paths"] is not JsonArray paths)
            {
                continue;
            }

            for (var p = 0; p < paths.Count; p++)
            {
                var field = $"spec.rules[{r}].http.paths[{p}]";
                var pathType = paths[p]?["pathType"]?.GetValue<string>();
                var path = paths[p]?["path"]?.GetValue<string>() ?? string.Empty;
                if (pathType is null)
                {
                    yield return new FieldProblem(field + ".pathType", "FieldValueRequired", "Required value: pathType must be specified");
                }
                else if (pathType is not ("Exact" or "Prefix" or "ImplementationSpecific"))
                {
                    yield return new FieldProblem(
                        field + ".pathType",
                        "FieldValueNotSupported",
                        $"Unsupported value: \"{pathType}\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"");
                }
                else if (pathType != "ImplementationSpecific" && !path.StartsWith('/'))
                {
                    yield return new FieldProblem(field + ".path", "FieldValueInvalid", $"Invalid value: \"{path}\": must be an absolute path");
                }
            }
        }
    }

    /// <summary>A kubernetes.io/tls Secret must carry tls.crt and tls.key.</summary>
    public static IEnumerable<FieldProblem> Secret(JsonObject secret)
    {
        if (secret["type"]?.GetValue<string>() != "kubernetes.io/tls")
        {
            yield break;
        }

        foreach (var key in new[] { "tls.crt", "tls.key" })
        {
            if (secret["data"]?[key] is null)
            {
                yield return new FieldProblem($"data[{key}]", "FieldValueRequired", "Required value");
            }
        }
    }
}
