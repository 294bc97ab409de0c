namespace Portico.Core.Kubernetes;

/// <summary>
/// One RBAC need of the operator: verbs on a resource of an API group ("" is the core group), cluster-wide or only
/// in the operator's own namespace. Kept as data next to the code that makes the calls, so a test can hold the
/// deployment's ClusterRole and Role to exactly what the code needs.
/// </summary>
public sealed record ApiAccess(string Group, string Resource, IReadOnlyList<string> Verbs, ApiAccessScope Scope = ApiAccessScope.Cluster)
{
    /// <summary>One (group, resource, verb) per verb: what an RBAC rule set grants, without its grouping into rules.</summary>
    public IEnumerable<(string Group, string Resource, string Verb)> Grants() => Verbs.Select(v => (Group, Resource, v));

    public override string ToString() => $"{(Group.Length == 0 ? "core" : Group)}/{Resource}: {string.Join(',', Verbs)}";
}
