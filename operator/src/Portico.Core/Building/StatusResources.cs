using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>The status subresources Portico writes, as data (the status writer's permissions derive from these).</summary>
public static class StatusResources
{
    /// <summary>networking.k8s.io/v1 ingresses: status.loadBalancer only (Ingress v1 status has no conditions).</summary>
    public static StatusResource Ingresses { get; } = new("networking.k8s.io", "v1", "ingresses");

    /// <summary>portico.dev/v1alpha1 ingresspolicies (the IngressPolicy CRD, issue 10): status.conditions.</summary>
    public static StatusResource IngressPolicies { get; } = new("portico.dev", "v1alpha1", "ingresspolicies");

    /// <summary>Every resource whose status carries conditions that Portico writes.</summary>
    public static IReadOnlyList<StatusResource> WithConditions { get; } = [IngressPolicies];
}
