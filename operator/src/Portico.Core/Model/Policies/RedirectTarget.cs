namespace Portico.Core.Model.Policies;

/// <summary>Answer every request with a redirect to exactly this URL (ingress-nginx's permanent-redirect / temporal-redirect), instead of proxying.</summary>
public sealed record RedirectTarget(Uri Url, int StatusCode);
