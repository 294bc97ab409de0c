namespace Portico.Core.Model;

/// <summary>
/// The status one object should have, as the build computed it: the object, where its status lives, the
/// metadata.generation it was computed from, what to do with the load-balancer addresses (Ingresses), and the
/// conditions (kinds that have them), sorted by type. The leader's status writer applies it; nothing else writes status.
/// </summary>
public sealed record ObjectStatus(
    ObjectRef Target,
    StatusResource Resource,
    long? Generation,
    AddressPublication Addresses,
    EquatableArray<StatusCondition> Conditions) : IComparable<ObjectStatus>
{
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
