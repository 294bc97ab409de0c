namespace Portico.Core.Model;

/// <summary>
/// Proxy to one of several upstreams, chosen per request by weight (IngressPolicy trafficSplit, ingress-nginx
/// canary). Every upstream is in <see cref="ProxyModel.Upstreams"/>; one without ready endpoints answers 503 for its
/// share. Weights are positive; a backend with weight 0 is not listed. <see cref="Selectors"/> (a canary's header and
/// cookie rules) are checked first, in order; the first that holds picks the upstream, and only a request none holds
/// for is drawn by weight.
/// </summary>
public sealed record SplitAction(EquatableArray<WeightedUpstream> Backends) : RouteAction
{
    /// <summary>Request conditions that decide before the weights (empty for a plain split); their upstreams are in the model too.</summary>
    public EquatableArray<SplitSelector> Selectors { get; init; } = [];

    /// <summary>Every upstream the split may send a request to: the weighted ones, then the selectors' (each once).</summary>
    public IEnumerable<string> AllUpstreams => Backends.Select(b => b.UpstreamName).Concat(Selectors.Select(s => s.UpstreamName)).Distinct(StringComparer.Ordinal);

    /// <summary>The heaviest backend (the first on a tie), the one explain names.</summary>
    public override string? Upstream => Backends.OrderByDescending(b => b.Weight).Select(b => b.UpstreamName).FirstOrDefault();

    public int TotalWeight => Backends.Sum(b => b.Weight);

    public override string ToString() =>
        string.Concat(Selectors.Select(s => s + "; ")) + string.Join(", ", Backends.Select(b => $"{b.UpstreamName} ({b.Weight})"));
}

/// <summary>One backend of a split: the upstream and its weight (positive).</summary>
public sealed record WeightedUpstream(string UpstreamName, int Weight);
