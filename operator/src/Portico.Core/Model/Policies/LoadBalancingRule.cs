namespace Portico.Core.Model.Policies;

/// <summary>How an endpoint is chosen; for <see cref="LoadBalancingAlgorithm.RequestHash"/> what is hashed.</summary>
public sealed record LoadBalancingRule(LoadBalancingAlgorithm Algorithm, HashSource? HashOn);
