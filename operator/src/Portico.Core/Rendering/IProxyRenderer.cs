using Portico.Core.Model;

namespace Portico.Core.Rendering;

/// <summary>Turns a model into one proxy's configuration files. Pure: same model and settings, same bytes.</summary>
public interface IProxyRenderer
{
    /// <summary>"nginx" or "envoy".</summary>
    string Proxy { get; }

    RenderedConfig Render(ProxyModel model, ProxySettings settings);

    /// <summary>
    /// Renders <paramref name="model"/>, which differs from the model this renderer last rendered into
    /// <paramref name="previous"/> only in the endpoints of <paramref name="changedUpstreams"/> (none of them gaining
    /// its first or losing its last), reusing everything that does not depend on them. Null when this renderer cannot
    /// (the caller renders in full); when it answers, the answer equals <see cref="Render"/>'s.
    /// </summary>
    RenderedConfig? RenderEndpointChange(RenderedConfig previous, ProxyModel model, IReadOnlyCollection<string> changedUpstreams, ProxySettings settings) => null;

    /// <summary>Warnings for what this proxy cannot enforce of <paramref name="model"/> (never silence); none by default.</summary>
    IEnumerable<Diagnostic> Limitations(ProxyModel model) => [];
}

/// <summary>Adds a renderer's <see cref="IProxyRenderer.Limitations"/> to a model's diagnostics (kept sorted).</summary>
public static class ProxyLimitations
{
    public static ProxyModel WithLimitationsOf(this ProxyModel model, IProxyRenderer renderer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(renderer);
        var limits = renderer.Limitations(model).ToList();
        return limits.Count == 0 ? model : model with { Diagnostics = [.. model.Diagnostics.Concat(limits).Distinct().Order()] };
    }
}
