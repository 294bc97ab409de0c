using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Syncing;

/// <summary>Reads one Secret from the cluster (a GET); null when it does not exist.</summary>
public interface ISecretReader
{
    Task<V1Secret?> ReadAsync(NamespacedName key, CancellationToken cancellationToken);
}
