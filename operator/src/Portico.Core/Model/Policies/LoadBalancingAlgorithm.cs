namespace Portico.Core.Model.Policies;

/// <summary>Endpoint selection.</summary>
public enum LoadBalancingAlgorithm
{
    RoundRobin,
    LeastRequest,
    RequestHash,
}
