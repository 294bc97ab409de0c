namespace Portico.Core.Model;

/// <summary>
/// A Service port resolved to ready endpoints. <see cref="Name"/> is "namespace_service_port": every part is a
/// validated DNS label or number and none may contain '_', so names never collide and are safe in any config.
/// <see cref="ExternalName"/> is set instead of endpoints for an ExternalName Service (when enabled).
/// </summary>
public sealed record Upstream(string Name, ObjectRef Service, int Port, EquatableArray<UpstreamEndpoint> Endpoints, string? ExternalName);
