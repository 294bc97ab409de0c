namespace Portico.Core.Model.Policies;

/// <summary>Session affinity by cookie: its name (an RFC 6265 token) and lifetime (null: a session cookie).</summary>
public sealed record AffinityRule(string CookieName, TimeSpan? Ttl);
