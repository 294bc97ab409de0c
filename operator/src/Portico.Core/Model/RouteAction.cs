namespace Portico.Core.Model;

/// <summary>
/// What the proxy does with a request a route matched. Decided once by the builder; every renderer (nginx, its live
/// routing data, Envoy) only translates it into its own syntax.
/// </summary>
public abstract record RouteAction
{
    /// <summary>The upstream this action concerns, if any (for a <see cref="RespondAction"/>: the backend that cannot take traffic).</summary>
    public abstract string? Upstream { get; }
}
