namespace Portico.Status;

/// <summary>
/// What an Ingress itself says about its class, read from the object alone (spec.ingressClassName, else the legacy
/// kubernetes.io/ingress.class annotation). The status writer uses it to never write to an Ingress that names another
/// class, even when its model is a moment behind the cluster.
/// </summary>
internal enum IngressClassClaim
{
    /// <summary>Names our class.</summary>
    Ours,

    /// <summary>Names another class: never touched.</summary>
    Foreign,

    /// <summary>Names no class (ours only if our IngressClass is the default, which the model decides).</summary>
    Unnamed,
}
