namespace Portico.Core.Kubernetes;

/// <summary>The key of a namespaced object within its kind. Cluster-scoped objects use an empty namespace.</summary>
public readonly record struct NamespacedName(string Namespace, string Name) : IComparable<NamespacedName>
{
    public int CompareTo(NamespacedName other)
    {
        int byNamespace = string.CompareOrdinal(Namespace, other.Namespace);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(Name, other.Name);
    }

    public override string ToString() => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}
