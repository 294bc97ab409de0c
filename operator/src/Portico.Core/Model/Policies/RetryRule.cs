namespace Portico.Core.Model.Policies;

/// <summary>Retries on another endpoint: how many, the timeout of each try, and on which failures.</summary>
public sealed record RetryRule(int Attempts, TimeSpan? PerTryTimeout, EquatableArray<RetryCondition> On);
