using System.Net;
using System.Text;
using Portico.Core.Explaining;

namespace Portico.Cli;

/// <summary>
/// `portico plan --output markdown`, ready to post as a pull-request comment: the summary, one table per host, the
/// details of each change in a collapsed &lt;details&gt;, the diagnostics. Every value is HTML-escaped and '|' is
/// escaped in cells (no code spans: entities do not render inside them), so a hostile path or message can neither
/// break the table nor inject markup into GitHub's renderer.
/// </summary>
internal static class PlanMarkdown
{
    /// <summary>The first line: lets a CI job find its own earlier comment to update it.</summary>
    public const string Marker = "<!-- portico-plan -->";

    public static string Format(RoutePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        text.Append(Marker).Append('\n');
        text.Append("### Portico plan\n\n");
        text.Append("**").Append(Escape(plan.Summary)).Append("**\n\n");
        foreach (var host in plan.Routes.GroupBy(r => r.Host))
        {
            text.Append("#### ").Append(Escape(PlanText.HostTitle(host.Key))).Append("\n\n");
            text.Append("| change | path | type | before | after |\n");
            text.Append("|---|---|---|---|---|\n");
            foreach (var route in host)
            {
                text.Append("| ").Append(route.Change.ToString().ToLowerInvariant())
                    .Append(" | ").Append(Cell(route.Path))
                    .Append(" | ").Append(route.PathType)
                    .Append(" | ").Append(route.Before is null ? string.Empty : Cell(ExplanationText.Verdict(route.Before.Route)))
                    .Append(" | ").Append(route.After is null ? string.Empty : Cell(ExplanationText.Verdict(route.After.Route)))
                    .Append(" |\n");
            }

            text.Append("\n<details><summary>Details for ").Append(Escape(PlanText.HostTitle(host.Key))).Append("</summary>\n\n");
            foreach (var route in host)
            {
                text.Append("- ").Append(route.Change.ToString().ToLowerInvariant()).Append(' ').Append(route.PathType).Append(' ').Append(Escape(route.Path)).Append('\n');
                if (route.Before is { } before)
                {
                    text.Append("  - before: ").Append(Escape(PlanText.Describe(before))).Append('\n');
                }

                if (route.After is { } after)
                {
                    text.Append("  - after: ").Append(Escape(PlanText.Describe(after))).Append('\n');
                }
            }

            text.Append("\n</details>\n\n");
        }

        AppendDiagnostics(text, "Diagnostics introduced", plan.DiagnosticsAdded);
        AppendDiagnostics(text, "Diagnostics resolved", plan.DiagnosticsResolved);
        return text.ToString();
    }

    private static void AppendDiagnostics(StringBuilder text, string title, IEnumerable<Core.Model.Diagnostic> diagnostics)
    {
        var list = diagnostics.ToList();
        if (list.Count == 0)
        {
            return;
        }

        text.Append("<details><summary>").Append(title).Append(" (").Append(list.Count).Append(")</summary>\n\n");
        foreach (var diagnostic in list)
        {
            text.Append("- ").Append(Escape(diagnostic.ToString())).Append('\n');
        }

        text.Append("\n</details>\n\n");
    }

    /// <summary>
    /// HTML-escaped, on one line (a line break could start a heading or end a table), with Markdown's inline
    /// punctuation neutralized (a path like "/a_b_" stays literal).
    /// </summary>
    private static string Escape(string value)
    {
        var text = new StringBuilder(WebUtility.HtmlEncode(value)).Replace('\r', ' ').Replace('\n', ' ');
        foreach (char special in "\\`*_[]|~")
        {
            text.Replace(special.ToString(), "\\" + special);
        }

        return text.ToString();
    }

    private static string Cell(string value) => Escape(value);
}
