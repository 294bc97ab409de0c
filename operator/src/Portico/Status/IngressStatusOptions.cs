using System.Collections.Immutable;
using Portico.Core.Kubernetes;

namespace Portico.Status;

/// <summary>
/// Where the addresses published into Ingress status come from: a Service (its load-balancer status and external IPs)
/// or a fixed list. With neither, status publishing is off.
/// </summary>
public sealed record IngressStatusOptions
{
    public static IngressStatusOptions Disabled { get; } = new();

    public NamespacedName? PublishService { get; init; }

    /// <summary>Sorted and without duplicates.</summary>
    public ImmutableArray<PublishedAddress> Addresses { get; init; } = [];

    /// <summary>How often the leader syncs even when nothing it watches changed (Service addresses, status changed by others).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Only Ingresses in this namespace are read and written (set it to what the operator watches, when it watches one
    /// namespace); null: all namespaces.
    /// </summary>
    public string? Namespace { get; init; }

    public bool Enabled => PublishService is not null || !Addresses.IsEmpty;
}
