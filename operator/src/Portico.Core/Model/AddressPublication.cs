namespace Portico.Core.Model;

/// <summary>
/// What the leader does with the proxies' addresses in an Ingress's status.loadBalancer.ingress (Ingress v1 status has
/// no conditions: whether an Ingress is served shows only as addresses published or not).
/// </summary>
public enum AddressPublication
{
    /// <summary>Not an Ingress, or one whose addresses are not Portico's to manage: left alone.</summary>
    None,

    /// <summary>Served: the status carries exactly the published addresses.</summary>
    Publish,

    /// <summary>Names our class but is not served (rejected as a whole): our addresses are removed, others kept.</summary>
    Withdraw,
}
