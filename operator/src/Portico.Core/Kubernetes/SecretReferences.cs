using k8s;
using k8s.Models;
using Portico.Core.Building.Policies;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;

namespace Portico.Core.Kubernetes;

/// <summary>
/// The Secrets an object names, by the builder's own reading: an Ingress's TLS secretNames, the Secret of its
/// ingress-nginx basic auth (auth-secret, parsed by <see cref="IngressNginxAnnotations"/>, so a reference to another
/// namespace is not one), an IngressPolicy's basicAuth.secretRef. Always in the object's own namespace.
/// </summary>
public static class SecretReferences
{
    public static IReadOnlyList<NamespacedName> Of(IKubernetesObject<V1ObjectMeta> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string ns = value.Metadata?.NamespaceProperty ?? "default";
        var names = new List<string>();
        switch (value)
        {
            case V1Ingress ingress:
                names.AddRange((ingress.Spec?.Tls ?? []).Select(t => t.SecretName).OfType<string>());
                if (ingress.Metadata?.Annotations is { } annotations && annotations.ContainsKey(IngressNginxAnnotations.Prefix + "auth-secret"))
                {
                    var self = new ObjectRef(KnownKinds.Ingress, ns, ingress.Metadata.Name ?? string.Empty);
                    if (IngressNginxAnnotations.Parse(annotations, self).Policy?.BasicAuth?.SecretName is { } secret)
                    {
                        names.Add(secret);
                    }
                }

                break;
            case IngressPolicy policy when policy.Spec?.BasicAuth?.SecretRef?.Name is { } secret:
                names.Add(secret);
                break;
        }

        return [.. names.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Select(n => new NamespacedName(ns, n))];
    }
}
