namespace Portico.Core.Model;

/// <summary>A validated host of an Ingress rule: lowercase DNS name, "*.suffix" wildcard, or any host.</summary>
public sealed record HostPattern(HostKind Kind, string Value) : IComparable<HostPattern>
{
    public static readonly HostPattern Any = new(HostKind.Any, string.Empty);

    /// <summary>For a wildcard "*.foo.com", the part after the star: ".foo.com".</summary>
    public string WildcardSuffix => Kind == HostKind.Wildcard ? Value[1..] : string.Empty;

    /// <summary>Exact hosts first, then wildcards, then the any-host; by name within each.</summary>
    public int CompareTo(HostPattern? other)
    {
        if (other is null)
        {
            return 1;
        }

        // As ints: Enum.CompareTo boxes both, and hosts are sorted and compared in every build (issue 13).
        int byKind = ((int)Kind).CompareTo((int)other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Value, other.Value);
    }

    public override string ToString() => Kind == HostKind.Any ? "*(any host)" : Value;
}
