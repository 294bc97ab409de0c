using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Syncing;

namespace Portico.Watching;

/// <summary>Reads one Secret through the API server (get on secrets, which the read-only RBAC grants).</summary>
internal sealed class ApiSecretReader(IKubernetes client) : ISecretReader
{
    public async Task<V1Secret?> ReadAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(key.Name, key.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
