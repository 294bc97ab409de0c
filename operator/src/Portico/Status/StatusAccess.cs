using Portico.Core.Kubernetes;

namespace Portico.Status;

/// <summary>
/// The RBAC the leader-only writers need, as each declares it next to its calls. The deployment's ClusterRole is
/// held to exactly this plus what the watched kinds need (DeployManifestTests), so a new call needs its line there.
/// </summary>
public static class StatusAccess
{
    public static IReadOnlyList<ApiAccess> Needed { get; } = [.. StatusWriter.Permissions, .. DiagnosticEventRecorder.Permissions];
}
