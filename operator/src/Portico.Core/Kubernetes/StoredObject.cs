using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>
/// What the store drops from an object before keeping it: metadata the API server sends with every object that
/// nothing in Portico reads. managedFields (server-side apply bookkeeping) and kubectl's last-applied-configuration
/// annotation (a second copy of the whole object as JSON) are often larger than the rest of an Ingress; at 10,000
/// Ingresses keeping them costs tens of MiB (issue 13). So do the rest of what only other tools read: uids (of
/// everything but IngressPolicies, whose binder checks theirs), owner references, finalizers, labels (an
/// EndpointSlice keeps its Service's name label), annotations outside the ingress-nginx prefixes and the two class
/// annotations, and an endpoint's pod reference, node, zone and hints. Status and Events read what they need from the
/// API, never from the store. Because the store compares trimmed objects (<see cref="RelevantChange"/>), an edit of
/// only what is dropped (a label, a foreign annotation) is no change and builds nothing.
/// The object is trimmed in place: the store owns what it is given.
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
        metadata.OwnerReferences = null;
        metadata.Finalizers = null;
        if (value is not Crds.IngressPolicy)
        {
            metadata.Uid = null;
        }

        TrimLists(value);
        if (metadata.Annotations is { } annotations && annotations.Keys.Any(k => !IsRead(k)))
        {
            // A copy without them: the dictionary may be shared with whoever built the object.
            var kept = annotations.Where(a => IsRead(a.Key)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
            metadata.Annotations = kept.Count == 0 ? null : kept;
        }

        if (metadata.Labels is { } labels)
        {
            metadata.Labels = value is V1EndpointSlice && labels.TryGetValue(Building.EndpointIndex.ServiceNameLabel, out string? service)
                ? new Dictionary<string, string>(1, StringComparer.Ordinal) { [Building.EndpointIndex.ServiceNameLabel] = service }
                : null;
        }
    }

    /// <summary>Annotations something in Portico reads: ingress-nginx's (both prefixes: unknown ones are warned about), and the Ingress and IngressClass class annotations.</summary>
    private static bool IsRead(string key) =>
        key.StartsWith(Building.Policies.IngressNginxAnnotations.Prefix, StringComparison.Ordinal)
        || key.StartsWith(Building.Policies.IngressNginxAnnotations.LegacyPrefix, StringComparison.Ordinal)
        || key == Building.IngressClassSelector.LegacyClassAnnotation
        || key == Building.IngressClassSelector.DefaultClassAnnotation;

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
                    endpoint.TargetRef = null;
                    endpoint.NodeName = null;
                    endpoint.Zone = null;
                    endpoint.Hints = null;
                    endpoint.DeprecatedTopology = null;
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
