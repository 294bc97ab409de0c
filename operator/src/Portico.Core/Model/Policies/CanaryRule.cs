namespace Portico.Core.Model.Policies;

/// <summary>
/// The Ingress is a canary of the Ingress serving the same host and path (ingress-nginx's canary family). Precedence
/// as in ingress-nginx: the header (value "always"/"never", or exactly <see cref="HeaderValue"/> when set), then the
/// cookie ("always"/"never"), then <see cref="Weight"/> out of <see cref="WeightTotal"/> requests.
/// </summary>
public sealed record CanaryRule(int Weight, int WeightTotal, string? Header, string? HeaderValue, string? Cookie);
