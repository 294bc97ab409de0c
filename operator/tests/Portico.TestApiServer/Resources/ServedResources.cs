using System.Collections.Immutable;

namespace Portico.TestApiServer.Resources;

/// <summary>
/// What one server instance serves: the built-ins of <see cref="ResourceRegistry"/> plus custom resources a test
/// installs at run time (as installing a CRD would). Lookups read an immutable list swapped on each install, so
/// requests never lock.
/// </summary>
internal sealed class ServedResources
{
    private readonly Lock _gate = new();
    private ImmutableList<ResourceDefinition> _all = [.. ResourceRegistry.All];

    public IReadOnlyList<ResourceDefinition> All => Volatile.Read(ref _all);

    /// <summary>All group/versions served, in a stable order, for discovery.</summary>
    public IReadOnlyList<(string Group, string Version)> GroupVersions =>
        All.Select(d => (d.Group, d.Version)).Distinct().OrderBy(g => g.Group, StringComparer.Ordinal).ToList();

    public ResourceDefinition? Find(string group, string version, string plural) =>
        All.FirstOrDefault(d => d.Group == group && d.Version == version && d.Plural == plural);

    /// <summary>The resource served for a model type; throws for a type the server does not serve.</summary>
    public ResourceDefinition ForType(Type modelType) =>
        All.FirstOrDefault(d => d.ModelType == modelType)
            ?? throw new ArgumentException(
                $"The test API server does not serve {modelType.Name}; it serves {string.Join(", ", All.Select(d => d.ModelType.Name))}.",
                nameof(modelType));

    /// <summary>Serves one more resource; a resource already served at the same URL or for the same type is refused.</summary>
    public void Add(ResourceDefinition resource)
    {
        lock (_gate)
        {
            if (Find(resource.Group, resource.Version, resource.Plural) is not null || All.Any(d => d.ModelType == resource.ModelType))
            {
                throw new InvalidOperationException($"{resource} (or its type {resource.ModelType.Name}) is already served");
            }

            Volatile.Write(ref _all, _all.Add(resource));
        }
    }
}
