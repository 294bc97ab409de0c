namespace Portico.Core.Model.Policies;

/// <summary>Requests per second per client address, per replica; <see cref="Burst"/> more are let through at once.</summary>
public sealed record RateLimitRule(int RequestsPerSecond, int Burst);
