using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// What the store drops from an object before keeping it: metadata the API server sends with every object that
/// nothing in Portico reads. managedFields (server-side apply bookkeeping) and kubectl's last-applied-configuration
/// annotation (a second copy of the whole object as JSON) are often larger than the rest of an Ingress; at 10,000
/// Ingresses keeping them costs tens of MiB (issue 13). The object is trimmed in place: the store owns what it is given.
/// </summary>
public static class StoredObject
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    public static void Trim(IKubernetesObject<V1ObjectMeta> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var metadata = value.Metadata;
        if (metadata is null)
        {
            return;
        }

        metadata.ManagedFields = null;
        TrimLists(value);
        if (metadata.Annotations is { } annotations && annotations.ContainsKey(LastAppliedAnnotation))
        {
            // A copy without it: the dictionary may be shared with whoever built the object.
            metadata.Annotations = annotations.Where(a => a.Key != LastAppliedAnnotation).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The deserializer grows lists by doubling, so a list of one has room for four. The lists every Ingress, Service
    /// and EndpointSlice has (rules, paths, ports, endpoints and each endpoint's addresses) are cut to their length:
    /// ~1.5 MiB at 10,000 Ingresses (issue 13). Nothing else changes.
    /// </summary>
    private static void TrimLists(IKubernetesObject<V1ObjectMeta> value)
    {
        switch (value)
        {
            case V1Ingress { Spec: { } spec }:
                Trim(spec.Rules);
                Trim(spec.Tls);
                foreach (var rule in spec.Rules ?? [])
                {
                    Trim(rule.Http?.Paths);
                }

                break;
            case V1Service { Spec: { } spec }:
                Trim(spec.Ports);
                break;
            case V1EndpointSlice slice:
                Trim(slice.Endpoints);
                Trim(slice.Ports);
                foreach (var endpoint in slice.Endpoints ?? [])
                {
                    Trim(endpoint.Addresses);
                }

                break;
        }
    }

    private static void Trim<T>(IList<T>? list)
    {
        if (list is List<T> items && items.Capacity > items.Count)
        {
            items.Capacity = items.Count; // TrimExcess would leave 3 of 4
        }
    }
}
