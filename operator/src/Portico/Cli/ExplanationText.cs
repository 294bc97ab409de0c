using System.Text;
using Portico.Core.Explaining;

namespace Portico.Cli;

/// <summary>The human form of an explanation (`portico explain --output text`), and the one-line verdict `plan` prints.</summary>
internal static class ExplanationText
{
    public static string Format(ExplainRequest request, Explanation explanation)
    {
        var text = new StringBuilder();
        text.Append(request.Method).Append(' ').Append(request.Scheme).Append("://").Append(request.Host).AppendLine(request.Path);
        text.Append("  host      ").AppendLine(explanation.Host.Length == 0 ? "(any host: rules without host)" : explanation.Host);
        text.Append("  route     ").Append(explanation.PathType).Append(' ').Append(explanation.Path).Append("  ").AppendLine(Origin(explanation.Ingress, explanation.Field));
        text.Append("  action    ").AppendLine(Verdict(explanation));
        text.Append("  because   ").AppendLine(explanation.Reason);
        if (explanation.Backend is { Endpoints.Length: > 0 } backend)
        {
            text.Append("  endpoints ").AppendLine(string.Join(", ", backend.Endpoints));
        }

        text.Append("  policies  ").AppendLine(explanation.Policies.Length == 0 ? "(none)" : string.Join(", ", explanation.Policies));
        if (explanation.Considered.Length > 0)
        {
            text.AppendLine("  also matched, and lost:");
            foreach (var other in explanation.Considered)
            {
                string where = other.Host.Length == 0 ? "(any host)" : other.Host;
                string route = other.Path is null ? string.Empty : $" {other.PathType} {other.Path}";
                string owner = other.Ingress is null ? string.Empty : $" (Ingress {ExplanationJson.Name(other.Ingress)}{(other.Rule is { } rule ? $" rule {rule}" : string.Empty)})";
                text.Append("    ").Append(other.Why.PadRight(11)).Append(where).Append(route).Append(owner).Append(": ").AppendLine(other.Detail);
            }
        }

        return text.ToString();
    }

    /// <summary>"forward to Service NS/NAME port P (N ready endpoints)", "respond 503 (Service NS/NAME port P)", "redirect 308 to URL".</summary>
    public static string Verdict(Explanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        string backend = explanation.Backend is { } b
            ? b.ExternalName is { } external
                ? $"Service {ExplanationJson.Name(b.Service)} port {b.Port} (ExternalName {external})"
                : $"Service {ExplanationJson.Name(b.Service)} port {b.Port} ({b.Endpoints.Length} ready endpoint{(b.Endpoints.Length == 1 ? string.Empty : "s")})"
            : string.Empty;
        return explanation.Action switch
        {
            ExplainedAction.Forward => "forward to " + backend,
            ExplainedAction.Redirect => $"redirect {explanation.Status}" + (explanation.Location is { } location ? " to " + location : string.Empty),
            _ => $"respond {explanation.Status}" + (backend.Length > 0 ? $" ({backend})" : string.Empty),
        };
    }

    /// <summary>"(Ingress NS/NAME, FIELD)", or "(implied: no object declares it)" for the 404 catch-all.</summary>
    public static string Origin(Core.Model.ObjectRef? ingress, string field) =>
        ingress is null ? "(implied: no rule and no default backend)" : $"(Ingress {ExplanationJson.Name(ingress)}, {field})";
}
