using System.Text.Json;
using Portico.Core.Model;

namespace Portico.Core.Explaining;

/// <summary>
/// The JSON contract of `portico plan` (issue 11; extend, never rename): routes with change, host, path, pathType and
/// explain-like "before"/"after" (null where the route does not exist), extended with "tls", "httpsRedirect" and
/// "catchAll"; diagnostics added and resolved as printed lines; the summary.
/// </summary>
public static class PlanJson
{
    public static void Write(Utf8JsonWriter json, RoutePlan plan)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(plan);
        json.WriteStartObject();
        json.WriteStartArray("routes");
        foreach (var route in plan.Routes)
        {
            json.WriteStartObject();
            json.WriteString("change", route.Change.ToString().ToLowerInvariant());
            json.WriteString("host", route.Host);
            json.WriteString("path", route.Path);
            json.WriteString("pathType", route.PathType);
            WriteState(json, "before", route.Before);
            WriteState(json, "after", route.After);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("diagnostics");
        WriteDiagnostics(json, "added", plan.DiagnosticsAdded);
        WriteDiagnostics(json, "resolved", plan.DiagnosticsResolved);
        json.WriteEndObject();
        json.WriteString("summary", plan.Summary);
        json.WriteEndObject();
    }

    private static void WriteState(Utf8JsonWriter json, string name, RouteState? state)
    {
        json.WritePropertyName(name);
        if (state is null)
        {
            json.WriteNullValue();
            return;
        }

        // The explanation's fields, then the host's TLS and redirect in the same object: one flat "explain-like" shape.
        json.WriteStartObject();
        ExplanationJson.WriteProperties(json, state.Route);
        if (state.Certificate is { } certificate)
        {
            json.WriteStartObject("tls");
            json.WriteString("secret", ExplanationJson.Name(certificate.Secret));
            json.WriteString("certificate", certificate.Id);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("tls");
        }

        if (state.HttpsRedirect is { } redirect)
        {
            json.WriteNumber("httpsRedirect", redirect);
        }
        else
        {
            json.WriteNull("httpsRedirect");
        }

        json.WriteBoolean("catchAll", state.CatchAll);
        json.WriteEndObject();
    }

    private static void WriteDiagnostics(Utf8JsonWriter json, string name, IEnumerable<Diagnostic> diagnostics)
    {
        json.WriteStartArray(name);
        foreach (var diagnostic in diagnostics)
        {
            json.WriteStringValue(diagnostic.ToString());
        }

        json.WriteEndArray();
    }
}
