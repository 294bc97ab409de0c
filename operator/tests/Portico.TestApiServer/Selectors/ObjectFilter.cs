using Portico.TestApiServer.Storage;

namespace Portico.TestApiServer.Selectors;

/// <summary>What a list or watch asks for: one namespace (or all) and the label and field selectors.</summary>
internal sealed record ObjectFilter(string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public static ObjectFilter All { get; } = new(null, LabelSelector.Everything, FieldSelector.Everything);

    public bool HasSelectors => !Labels.IsEmpty || !Fields.IsEmpty;

    public bool Matches(StoredObject obj) =>
        (Namespace is null || obj.Namespace == Namespace) && Fields.Matches(obj) && (Labels.IsEmpty || Labels.Matches(obj.Labels));
}
