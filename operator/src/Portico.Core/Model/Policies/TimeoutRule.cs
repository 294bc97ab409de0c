namespace Portico.Core.Model.Policies;

/// <summary>Upstream timeouts; null keeps the global setting.</summary>
public sealed record TimeoutRule(TimeSpan? Connect, TimeSpan? Request, TimeSpan? Idle);
