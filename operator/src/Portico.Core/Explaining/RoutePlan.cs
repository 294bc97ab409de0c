using System.Collections.Immutable;
using System.Globalization;
using Portico.Core.Model;

namespace Portico.Core.Explaining;

/// <summary>
/// The route-level difference between two builds (`portico plan`): the routes added, removed and changed, sorted by
/// host then precedence, and the diagnostics the head introduces and resolves.
/// </summary>
public sealed record RoutePlan(ImmutableArray<PlannedRoute> Routes, ImmutableArray<Diagnostic> DiagnosticsAdded, ImmutableArray<Diagnostic> DiagnosticsResolved)
{
    public bool HasRouteChanges => Routes.Length > 0;

    /// <summary>One line: "2 routes added, 1 removed, 1 changed; 1 diagnostic introduced, 0 resolved", or "no route changes; ...".</summary>
    public string Summary
    {
        get
        {
            int added = Routes.Count(r => r.Change == RouteChange.Added);
            int removed = Routes.Count(r => r.Change == RouteChange.Removed);
            int changed = Routes.Count(r => r.Change == RouteChange.Changed);
            string routes = HasRouteChanges
                ? string.Create(CultureInfo.InvariantCulture, $"{added} route{(added == 1 ? string.Empty : "s")} added, {removed} removed, {changed} changed")
                : "no route changes";
            string diagnostics = string.Create(CultureInfo.InvariantCulture, $"{DiagnosticsAdded.Length} diagnostic{(DiagnosticsAdded.Length == 1 ? string.Empty : "s")} introduced, {DiagnosticsResolved.Length} resolved");
            return $"{routes}; {diagnostics}";
        }
    }
}
