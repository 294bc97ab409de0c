using System.Text;
using Portico.Core.Explaining;

namespace Portico.Cli;

/// <summary>`portico plan --output text`: routes grouped by host, "+" added, "-" removed, "~" changed (before -> after), then diagnostics and the summary.</summary>
internal static class PlanText
{
    private const string Green = "\u001b[32m";
    private const string Red = "\u001b[31m";
    private const string Yellow = "\u001b[33m";
    private const string Reset = "\u001b[0m";

    public static string Format(RoutePlan plan, bool colour)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        foreach (var host in plan.Routes.GroupBy(r => r.Host))
        {
            text.AppendLine(HostTitle(host.Key));
            foreach (var route in host)
            {
                var (mark, paint) = route.Change switch
                {
                    RouteChange.Added => ("+", Green),
                    RouteChange.Removed => ("-", Red),
                    _ => ("~", Yellow),
                };
                string what = route.Change switch
                {
                    RouteChange.Added => Describe(route.After!),
                    RouteChange.Removed => Describe(route.Before!),
                    _ => $"{Describe(route.Before!)}\n      -> {Describe(route.After!)}",
                };
                text.Append(colour ? paint : string.Empty).Append("  ").Append(mark).Append(' ').Append(route.PathType).Append(' ').Append(route.Path)
                    .Append(colour ? Reset : string.Empty).Append("  ").AppendLine(what);
            }
        }

        AppendDiagnostics(text, "diagnostics introduced:", "+", colour ? Red : null, plan.DiagnosticsAdded);
        AppendDiagnostics(text, "diagnostics resolved:", "-", colour ? Green : null, plan.DiagnosticsResolved);
        text.AppendLine(plan.Summary);
        return text.ToString();
    }

    /// <summary>"forward to Service ... [TLS shop/shop-tls] [HTTP redirected 308] (Ingress ..., field)".</summary>
    public static string Describe(RouteState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var text = new StringBuilder(ExplanationText.Verdict(state.Route));
        if (state.Certificate is { } certificate)
        {
            text.Append(", TLS from Secret ").Append(ExplanationJson.Name(certificate.Secret)).Append(" (").Append(certificate.Id[..12]).Append(')');
        }

        if (state.HttpsRedirect is { } redirect)
        {
            text.Append(", plain HTTP redirected ").Append(redirect);
        }

        return text.Append(' ').Append(ExplanationText.Origin(state.Route.Ingress, state.Route.Field)).ToString();
    }

    public static string HostTitle(string host) => host.Length == 0 ? "(any host: rules without host)" : host;

    private static void AppendDiagnostics(StringBuilder text, string title, string mark, string? paint, IEnumerable<Core.Model.Diagnostic> diagnostics)
    {
        var list = diagnostics.ToList();
        if (list.Count == 0)
        {
            return;
        }

        text.AppendLine(title);
        foreach (var diagnostic in list)
        {
            text.Append(paint ?? string.Empty).Append("  ").Append(mark).Append(' ').Append(diagnostic).AppendLine(paint is null ? string.Empty : Reset);
        }
    }
}
