using Portico.Core.Kubernetes;

namespace Portico.Status;

/// <summary>
/// The RBAC the leader-only writers here need, call by call. The deployment's ClusterRole is held to exactly this
/// plus what the watched kinds need (DeployManifestTests), so a new call here needs its line here.
/// </summary>
public static class StatusAccess
{
    public static IReadOnlyList<ApiAccess> Needed { get; } =
    [
        // IngressStatusWriter: lists the Ingresses, re-reads one after a 409, reads our IngressClass, replaces .../status.
        new("networking.k8s.io", "ingresses", ["get", "list"]),
        new("networking.k8s.io", "ingressclasses", ["get"]),
        new("networking.k8s.io", "ingresses/status", ["update"]),

        // PublishedAddressSource reads status.publishService; ObjectUidReader reads the uid of an Event's object.
        new(string.Empty, "services", ["get"]),
        new("discovery.k8s.io", "endpointslices", ["get"]),

        // DiagnosticEventRecorder: creates a core/v1 Event, or reads and replaces it to count a repeat.
        new(string.Empty, "events", ["create", "get", "update"]),
    ];
}
