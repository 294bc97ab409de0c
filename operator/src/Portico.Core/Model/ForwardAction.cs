namespace Portico.Core.Model;

/// <summary>Proxy to an upstream that has ready endpoints (by name, in <see cref="ProxyModel.Upstreams"/>).</summary>
public sealed record ForwardAction(string UpstreamName) : RouteAction
{
    public override string? Upstream => UpstreamName;

    public override string ToString() => UpstreamName;
}
