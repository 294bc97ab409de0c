using Portico.Core.Model;

namespace Portico.Syncing;

/// <summary>Told about every model the pipeline builds (status writer, event recorder). Must return quickly: queue work, do not do it here.</summary>
public interface IModelListener
{
    void OnModel(ProxyModel model);
}
