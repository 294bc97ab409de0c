namespace Portico.Core.Model;

/// <summary>
/// Proxy to one of several upstreams, chosen per request by weight (IngressPolicy trafficSplit, ingress-nginx
/// canary). Every upstream is in <see cref="ProxyModel.Upstreams"/>; one without ready endpoints answers 503 for its
/// share. Weights are positive; a backend with weight 0 is not listed.
/// </summary>
public sealed record SplitAction(EquatableArray<WeightedUpstream> Backends) : RouteAction
{
    /// <summary>The heaviest backend (the first on a tie), the one explain names.</summary>
    public override string? Upstream => Backends.OrderByDescending(b => b.Weight).Select(b => b.UpstreamName).FirstOrDefault();

    public int TotalWeight => Backends.Sum(b => b.Weight);

    public override string ToString() => string.Join(", ", Backends.Select(b => $"{b.UpstreamName} ({b.Weight})"));
}

/// <summary>One backend of a split: the upstream and its weight (positive).</summary>
public sealed record WeightedUpstream(string UpstreamName, int Weight);
