namespace Portico.Core.Kubernetes;

/// <summary>Which client path reaches a kind's resource.</summary>
public enum KindApi
{
    /// <summary>A built-in resource with KubernetesClient's typed list and watch calls.</summary>
    Typed,

    /// <summary>
    /// A custom resource (a CRD's kind): KubernetesClient has no typed calls for it, so it goes through the generic
    /// custom-objects path (<c>/apis/{group}/{version}/[namespaces/{ns}/]{resource}</c>).
    /// </summary>
    CustomObjects,
}
