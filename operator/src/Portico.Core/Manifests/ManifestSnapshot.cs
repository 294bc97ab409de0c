using System.Collections.Immutable;
using Portico.Core.Kubernetes;
using Portico.Core.Model;

namespace Portico.Core.Manifests;

/// <summary>Loads manifest objects into a store, as kubectl apply would: an object defined twice is the later one, with a warning.</summary>
public static class ManifestSnapshot
{
    public static (ClusterSnapshot Snapshot, ImmutableArray<Diagnostic> Diagnostics) Build(ManifestSet manifests, KindRegistry? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var store = new ObjectStore(kinds ?? KindRegistry.Default);
        var seen = new Dictionary<(string Kind, NamespacedName Key), ManifestObject>();
        var diagnostics = new List<Diagnostic>(manifests.Diagnostics);
        foreach (var item in manifests.Objects)
        {
            string kind = item.Value.Kind ?? item.Value.GetType().Name;
            var key = ObjectStore.KeyOf(item.Value);
            if (seen.TryGetValue((kind, key), out var earlier))
            {
                diagnostics.Add(new Diagnostic(
                    Severity.Warning,
                    new ObjectRef(kind, key.Namespace, key.Name),
                    "metadata.name",
                    $"defined twice ({earlier.Where} and {item.Where}); the later one is used"));
            }

            seen[(kind, key)] = item;
            store.Upsert(item.Value);
        }

        return (store.Snapshot(), [.. diagnostics.Order()]);
    }
}
