using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Core.Building;

/// <summary>
/// The Services and Secrets one Ingress's plan read, as it read them (an absent object is read as null): the plan is
/// valid for a later snapshot only where each is still the same object. The snapshot replaces an object only when it
/// changes, so identity is enough.
/// </summary>
internal sealed class PlanReads(ClusterSnapshot snapshot)
{
    private List<KeyValuePair<NamespacedName, V1Service?>>? _services;
    private List<KeyValuePair<NamespacedName, V1Secret?>>? _secrets;

    public V1Service? Service(NamespacedName key) => Record(ref _services, key, snapshot.Services);

    public V1Secret? Secret(NamespacedName key) => Record(ref _secrets, key, snapshot.Secrets);

    public KeyValuePair<NamespacedName, V1Service?>[] Services => _services?.ToArray() ?? [];

    public KeyValuePair<NamespacedName, V1Secret?>[] Secrets => _secrets?.ToArray() ?? [];

    /// <summary>Whether every object read is the same in <paramref name="later"/>.</summary>
    public static bool Unchanged<T>(KeyValuePair<NamespacedName, T?>[] reads, System.Collections.Immutable.ImmutableDictionary<NamespacedName, T> later)
        where T : class
    {
        foreach (var (key, value) in reads)
        {
            if (!ReferenceEquals(later.GetValueOrDefault(key), value))
            {
                return false;
            }
        }

        return true;
    }

    private static T? Record<T>(ref List<KeyValuePair<NamespacedName, T?>>? reads, NamespacedName key, System.Collections.Immutable.ImmutableDictionary<NamespacedName, T> table)
        where T : class
    {
        var value = table.GetValueOrDefault(key);
        reads ??= [];
        if (!reads.Exists(r => r.Key == key))
        {
            reads.Add(new(key, value));
        }

        return value;
    }
}
