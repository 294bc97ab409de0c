using System.Collections.Immutable;
using Portico.Core.Model;

namespace Portico.Core.Explaining;

/// <summary>
/// The Service port a route names, with its ready endpoints ("10.0.0.1:8080"); empty when it has none (the proxy then
/// answers 503). <see cref="ExternalName"/> is the DNS name of an ExternalName Service.
/// </summary>
public sealed record ExplainedBackend(ObjectRef Service, int Port, ImmutableArray<string> Endpoints, string? ExternalName)
{
    /// <summary>
    /// The backend of an upstream name, looked up in the model's upstreams by name. Every name an action carries is
    /// one of them (the builder registers a Service port's upstream even while it has no ready endpoints).
    /// </summary>
    public static ExplainedBackend? From(IReadOnlyDictionary<string, Upstream> upstreams, string? upstreamName)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        return upstreamName is not null && upstreams.TryGetValue(upstreamName, out var upstream)
            ? new ExplainedBackend(upstream.Service, upstream.Port, [.. upstream.Endpoints.Select(e => e.HostPort)], upstream.ExternalName)
            : null;
    }

    /// <summary>The model's upstreams by name: built once per model by whoever explains many routes of it.</summary>
    public static Dictionary<string, Upstream> Index(ProxyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Upstreams.ToDictionary(u => u.Name, StringComparer.Ordinal);
    }
}
