using System.Text.Json;
using Portico.Core.Model;

namespace Portico.Core.Explaining;

/// <summary>
/// The JSON contract of `portico explain` (issue 11; tools and tests depend on it: extend, never rename). `portico plan`
/// writes the same object as a route's "before" and "after".
/// </summary>
public static class ExplanationJson
{
    public static void Write(Utf8JsonWriter json, Explanation explanation)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        WriteProperties(json, explanation);
        json.WriteEndObject();
    }

    /// <summary>The explanation's properties into an object the caller has opened (plan adds its own beside them).</summary>
    public static void WriteProperties(Utf8JsonWriter json, Explanation explanation)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(explanation);
        json.WriteString("action", explanation.Action.ToString().ToLowerInvariant());
        WriteNullable(json, "status", explanation.Status);
        if (explanation.Backend is { } backend)
        {
            json.WriteStartObject("backend");
            json.WriteString("service", Name(backend.Service));
            json.WriteNumber("port", backend.Port);
            json.WriteStartArray("endpoints");
            foreach (string endpoint in backend.Endpoints)
            {
                json.WriteStringValue(endpoint);
            }

            json.WriteEndArray();
            if (backend.ExternalName is { } externalName)
            {
                json.WriteString("externalName", externalName);
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("backend");
        }

        WriteNullable(json, "ingress", Name(explanation.Ingress));
        WriteNullable(json, "rule", explanation.Rule);
        json.WriteString("field", explanation.Field);
        json.WriteString("path", explanation.Path);
        json.WriteString("pathType", explanation.PathType);
        json.WriteString("host", explanation.Host);
        json.WriteString("reason", explanation.Reason);
        if (explanation.Location is { } location)
        {
            json.WriteString("location", location);
        }

        json.WriteStartArray("policies");
        foreach (string policy in explanation.Policies)
        {
            json.WriteStringValue(policy);
        }

        json.WriteEndArray();
        json.WriteStartArray("considered");
        foreach (var other in explanation.Considered)
        {
            json.WriteStartObject();
            json.WriteString("why", other.Why);
            json.WriteString("host", other.Host);
            WriteNullable(json, "path", other.Path);
            WriteNullable(json, "pathType", other.PathType);
            WriteNullable(json, "ingress", Name(other.Ingress));
            WriteNullable(json, "rule", other.Rule);
            json.WriteString("detail", other.Detail);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>"NS/NAME" as the contract names objects (the kind is implied by the field).</summary>
    public static string? Name(ObjectRef? target) => target is null ? null : $"{target.Namespace}/{target.Name}";

    private static void WriteNullable(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
