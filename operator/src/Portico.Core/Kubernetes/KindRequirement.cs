namespace Portico.Core.Kubernetes;

/// <summary>Whether Portico can run without a kind's resource being installed in the cluster.</summary>
public enum KindRequirement
{
    /// <summary>Nothing is built until the kind has been listed; a failing list is retried without limit.</summary>
    Required,

    /// <summary>
    /// The resource may be missing (its CRD not installed): a list answering 404 counts as an empty, synced kind, so
    /// everything else is served, and the operator keeps checking for the resource to appear.
    /// </summary>
    Optional,
}
