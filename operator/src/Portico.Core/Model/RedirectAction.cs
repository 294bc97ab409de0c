namespace Portico.Core.Model;

/// <summary>Redirect to the same host and URI over another scheme and port (today: plain HTTP to HTTPS).</summary>
public sealed record RedirectAction(string Scheme, int Port, int Status) : RouteAction
{
    public override string? Upstream => null;

    public override string ToString() => $"redirect {Status} to {Scheme}:{Port}";
}
