namespace Portico.Core.Model.Policies;

/// <summary>A redirect instead of proxying; null parts keep the request's own scheme, host, path or port.</summary>
public sealed record RedirectRule(string? Scheme, string? Hostname, string? Path, int? Port, int StatusCode);
