using Portico.Core.Model;

namespace Portico.Core.Rendering;

/// <summary>Turns a model into one proxy's configuration files. Pure: same model and settings, same bytes.</summary>
public interface IProxyRenderer
{
    /// <summary>"nginx" or "envoy".</summary>
    string Proxy { get; }

    RenderedConfig Render(ProxyModel model, ProxySettings settings);
}
