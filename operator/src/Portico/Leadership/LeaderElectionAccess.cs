using Portico.Core.Kubernetes;

namespace Portico.Leadership;

/// <summary>
/// The RBAC leader election needs: KubernetesClient's LeaseLock reads, creates and replaces the Lease, and
/// <see cref="LeaseLeadership"/> reads and replaces it to release it; only in the Lease's (the operator's) namespace.
/// </summary>
public static class LeaderElectionAccess
{
    public static IReadOnlyList<ApiAccess> Needed { get; } =
    [
        new("coordination.k8s.io", "leases", ["get", "create", "update"], ApiAccessScope.OperatorNamespace),
    ];
}
