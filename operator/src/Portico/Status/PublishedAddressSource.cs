using System.Collections.Immutable;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Portico.Status;

/// <summary>
/// The addresses to publish: the configured list, or the publish Service's, read with one GET per sync. A GET rather
/// than a watch: syncs are rare (the served set changed, a term started, or the resync period passed), a load
/// balancer's address changes about once in its life, and a stale address is repaired at the next resync.
/// From the Service, as ingress-nginx does: status.loadBalancer.ingress (IP or host name), then spec.externalIPs;
/// for an ExternalName Service its external name.
/// </summary>
internal sealed class PublishedAddressSource
{
    private readonly IKubernetes _client;
    private readonly IngressStatusOptions _options;

    public PublishedAddressSource(IKubernetes client, IngressStatusOptions options)
    {
        _client = client;
        _options = options;
    }

    /// <summary>Sorted, without duplicates. Throws <see cref="PublishServiceMissingException"/> when the Service does not exist.</summary>
    public async Task<ImmutableArray<PublishedAddress>> ReadAsync(CancellationToken cancellationToken)
    {
        if (_options.PublishService is not { } name)
        {
            return _options.Addresses;
        }

        V1Service service;
        try
        {
            service = await _client.CoreV1.ReadNamespacedServiceAsync(name.Name, name.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Not "no addresses": publishing nothing would wipe every Ingress's status because of a typo or a slow rollout.
            throw new PublishServiceMissingException($"the publish Service {name} does not exist", e);
        }

        return FromService(service);
    }

    /// <summary>Addresses the API server reports are taken only when they pass the same rules as configured ones.</summary>
    internal static ImmutableArray<PublishedAddress> FromService(V1Service service)
    {
        var found = new SortedSet<PublishedAddress>();
        void Add(string? text)
        {
            if (PublishedAddress.TryParse(text, out var address))
            {
                found.Add(address!);
            }
        }

        if (service.Spec?.Type == "ExternalName")
        {
            Add(service.Spec.ExternalName);
        }

        foreach (var entry in service.Status?.LoadBalancer?.Ingress ?? [])
        {
            Add(entry.Ip ?? entry.Hostname);
        }

        foreach (string ip in service.Spec?.ExternalIPs ?? [])
        {
            Add(ip);
        }

        return [.. found];
    }
}
