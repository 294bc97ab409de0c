namespace Portico.Core.Model;

/// <summary>Proxy to an ExternalName Service's DNS name, resolved by the proxy at request time.</summary>
public sealed record ExternalNameAction(string UpstreamName, string Host, int Port) : RouteAction
{
    public override string? Upstream => UpstreamName;

    public override string ToString() => $"{UpstreamName} (external {Host}:{Port})";
}
