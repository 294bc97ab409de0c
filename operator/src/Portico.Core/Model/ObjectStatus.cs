using System.Collections.Immutable;

namespace Portico.Core.Model;

/// <summary>
/// The status one object should have, as the build computed it: the object, where its status lives, the
/// metadata.generation it was computed from, what to do with the load-balancer addresses (Ingresses), and the
/// conditions (kinds that have them), sorted by type. The leader's status writer applies it; nothing else writes status.
/// Value equality covers the conditions too (an ImmutableArray alone would compare by reference).
/// </summary>
public sealed record ObjectStatus(
    ObjectRef Target,
    StatusResource Resource,
    long? Generation,
    AddressPublication Addresses,
    ImmutableArray<StatusCondition> Conditions) : IComparable<ObjectStatus>
{
    public bool Equals(ObjectStatus? other) =>
        other is not null
        && Target == other.Target
        && Resource == other.Resource
        && Generation == other.Generation
        && Addresses == other.Addresses
        && Conditions.AsSpan().SequenceEqual(other.Conditions.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Target);
        hash.Add(Resource);
        hash.Add(Generation);
        hash.Add(Addresses);
        foreach (var condition in Conditions.AsSpan())
        {
            hash.Add(condition);
        }

        return hash.ToHashCode();
    }

    /// <summary>By object, then resource (one object has one status).</summary>
    public int CompareTo(ObjectStatus? other)
    {
        if (other is null)
        {
            return 1;
        }

        int byTarget = Target.CompareTo(other.Target);
        return byTarget != 0 ? byTarget : string.CompareOrdinal(Resource.ToString(), other.Resource.ToString());
    }
}
