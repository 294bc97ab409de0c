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
    /// The backend of an upstream name. A 503 route names an upstream that may not exist in the model (no ready
    /// endpoints): its name is "namespace_service_port" and no part may contain '_', so it splits back safely.
    /// </summary>
    public static ExplainedBackend? From(ProxyModel model, string? upstreamName)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (upstreamName is null)
        {
            return null;
        }

        if (model.UpstreamNamed(upstreamName) is { } upstream)
        {
            return new ExplainedBackend(upstream.Service, upstream.Port, [.. upstream.Endpoints.Select(e => e.HostPort)], upstream.ExternalName);
        }

        string[] parts = upstreamName.Split('_');
        return parts.Length == 3 && int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port)
            ? new ExplainedBackend(new ObjectRef("Service", parts[0], parts[1]), port, [], null)
            : null;
    }
}
