using Portico.Core.Building;
using Portico.Core.Rendering;

namespace Portico.Options;

/// <summary>Options after parsing and validation: typed, ready for the builder and the renderer.</summary>
public sealed record ResolvedOptions(string Proxy, string? TemplatesDirectory, BuildOptions Build, ProxySettings ProxySettings);
