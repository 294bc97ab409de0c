using System.Collections.Immutable;
using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>Collects diagnostics during one build, without duplicates, and hands them out sorted.</summary>
internal sealed class DiagnosticBag
{
    private readonly HashSet<Diagnostic> _items = [];

    public void Error(ObjectRef target, string field, string message) => _items.Add(new Diagnostic(Severity.Error, target, field, message));

    public void Warning(ObjectRef target, string field, string message) => _items.Add(new Diagnostic(Severity.Warning, target, field, message));

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.UnionWith(diagnostics);

    /// <summary>How many diagnostics were added so far.</summary>
    public int Count => _items.Count;

    public Diagnostic[] ToArray() => _items.Count == 0 ? [] : [.. _items];

    public ImmutableArray<Diagnostic> ToSortedArray() => [.. _items.Order()];
}
