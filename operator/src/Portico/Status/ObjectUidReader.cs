using System.Net;
using System.Text.Json;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Core.Values;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Portico.Status;

/// <summary>
/// Reads the uid of the object a diagnostic names, for the Event's involvedObject: `kubectl describe` selects Events
/// by uid, so an Event without one would not show there. One GET per new Event (Events are rate limited, so this is
/// too). Secrets are not read: a GET returns the key material, and Portico reads Secrets only as the builder needs.
/// A kind beyond the built-in ones is read through the generic API when the model gives its status resource.
/// </summary>
internal sealed class ObjectUidReader
{
    private readonly IKubernetes _client;

    public ObjectUidReader(IKubernetes client) => _client = client;

    /// <summary>The uid, or null when the object is gone, unreadable, or of a kind not looked up.</summary>
    public async Task<string?> ReadAsync(ObjectRef target, StatusResource? resource, CancellationToken cancellationToken)
    {
        if (!DnsGrammar.IsSubdomain(target.Name) || (target.Namespace.Length > 0 && !DnsGrammar.IsLabel(target.Namespace)))
        {
            return null;
        }

        try
        {
            V1ObjectMeta? metadata = target.Kind switch
            {
                KnownKinds.Ingress => (await _client.NetworkingV1.ReadNamespacedIngressAsync(target.Name, target.Namespace, cancellationToken: cancellationToken)).Metadata,
                KnownKinds.IngressClass => (await _client.NetworkingV1.ReadIngressClassAsync(target.Name, cancellationToken: cancellationToken)).Metadata,
                KnownKinds.Service => (await _client.CoreV1.ReadNamespacedServiceAsync(target.Name, target.Namespace, cancellationToken: cancellationToken)).Metadata,
                KnownKinds.EndpointSlice => (await _client.DiscoveryV1.ReadNamespacedEndpointSliceAsync(target.Name, target.Namespace, cancellationToken: cancellationToken)).Metadata,
                KnownKinds.Secret => null,
                _ when resource is { Group.Length: > 0 } => await ReadCustomAsync(target, resource, cancellationToken),
                _ => null,
            };
            return metadata?.Uid;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return null;
        }
    }

    private async Task<V1ObjectMeta?> ReadCustomAsync(ObjectRef target, StatusResource resource, CancellationToken cancellationToken)
    {
        object read = target.Namespace.Length == 0
            ? await _client.CustomObjects.GetClusterCustomObjectAsync(resource.Group, resource.Version, resource.Plural, target.Name, cancellationToken)
            : await _client.CustomObjects.GetNamespacedCustomObjectAsync(resource.Group, resource.Version, target.Namespace, resource.Plural, target.Name, cancellationToken);
        return read is JsonElement json && json.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("uid", out var uid)
            && uid.ValueKind == JsonValueKind.String
            ? new V1ObjectMeta { Uid = uid.GetString() }
            : null;
    }
}
