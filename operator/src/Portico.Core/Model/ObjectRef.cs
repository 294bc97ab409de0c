namespace Portico.Core.Model;

/// <summary>Names one Kubernetes object: kind, namespace (empty for cluster-scoped kinds) and name.</summary>
public sealed record ObjectRef(string Kind, string Namespace, string Name) : IComparable<ObjectRef>
{
    public static ObjectRef ClusterScoped(string kind, string name) => new(kind, string.Empty, name);

    public int CompareTo(ObjectRef? other)
    {
        if (other is null)
        {
            return 1;
        }

        int byKind = string.CompareOrdinal(Kind, other.Kind);
        if (byKind != 0)
        {
            return byKind;
        }

        int byNamespace = string.CompareOrdinal(Namespace, other.Namespace);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(Name, other.Name);
    }

    /// <summary>"Kind namespace/name", with anything unprintable escaped so a hostile name cannot forge log lines.</summary>
    public override string ToString() =>
        Namespace.Length == 0
            ? $"{Kind} {Printable.Escape(Name)}"
            : $"{Kind} {Printable.Escape(Namespace)}/{Printable.Escape(Name)}";
}
