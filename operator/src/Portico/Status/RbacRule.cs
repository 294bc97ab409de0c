using System.Collections.Immutable;

namespace Portico.Status;

/// <summary>
/// One RBAC rule a component needs, as data (API group, "" for core; resource, with "/status" for the subresource;
/// verbs), so a test can hold the deploy manifests' rules against what the code really calls.
/// </summary>
public sealed record RbacRule(string Group, string Resource, ImmutableArray<string> Verbs)
{
    public override string ToString() => $"{(Group.Length == 0 ? "core" : Group)}/{Resource}: {string.Join(',', Verbs)}";
}
