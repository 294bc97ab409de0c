using Portico.Core.Rendering;
using Portico.Core.Rendering.Envoy;
using Portico.Core.Rendering.Nginx;

namespace Portico.Core.Offline;

/// <summary>Creates the renderer for a proxy name, with templates optionally overridden from a directory.</summary>
public static class ProxyRenderers
{
    public static IReadOnlyList<string> Names { get; } = ["nginx", "envoy"];

    public static IProxyRenderer Create(string proxy, string? templatesDirectory = null) => proxy switch
    {
        "nginx" => new NginxRenderer(TemplateSet.Load("nginx", templatesDirectory)),
        "envoy" => new EnvoyRenderer(TemplateSet.Load("envoy", templatesDirectory)),
        _ => throw new ArgumentException($"unknown proxy \"{proxy}\"; known: {string.Join(", ", Names)}", nameof(proxy)),
    };
}
