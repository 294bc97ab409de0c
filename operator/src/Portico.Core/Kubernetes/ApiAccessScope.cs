namespace Portico.Core.Kubernetes;

/// <summary>Where an <see cref="ApiAccess"/> applies: a ClusterRole, or a Role in the operator's own namespace.</summary>
public enum ApiAccessScope
{
    Cluster,

    OperatorNamespace,
}
