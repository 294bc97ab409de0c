using System.Collections.Immutable;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Observability;

namespace Portico.Status;

/// <summary>
/// The Ingress part of <see cref="StatusWriter"/>: publishes the proxies' addresses into status.loadBalancer.ingress
/// as the build's desired statuses say. One sync lists the Ingresses (one paged list, not a GET per Ingress) and
/// writes the status subresource of each whose status differs:
/// <list type="bullet">
/// <item><see cref="AddressPublication.Publish"/>: exactly the published addresses, sorted;</item>
/// <item><see cref="AddressPublication.Withdraw"/>: the published addresses are removed, anything else kept;</item>
/// <item>no desired status, or naming another class as it reads now: never touched.</item>
/// </list>
/// The live object is checked again because the model may be a moment behind the cluster: an Ingress that now names
/// another class is not written whatever the model says, and nothing is withdrawn while an IngressClass of our name
/// belongs to another controller. Writes carry the resourceVersion read, so a concurrent change is a 409: the Ingress
/// is read again, the decision made again on what it now says, and the write retried (bounded).
/// </summary>
internal sealed partial class IngressAddressWriter
{
    private const int MaxWriteAttempts = 5;
    private const int PageSize = 500;
    private const string IngressApiVersion = "networking.k8s.io/v1";

    private readonly IKubernetes _client;
    private readonly IngressStatusOptions _options;
    private readonly string _className;
    private readonly string _controllerName;
    private readonly ILogger _logger;
    private readonly PorticoMetrics _metrics;
    private readonly PublishedAddressSource _addresses;

    public IngressAddressWriter(IKubernetes client, IngressStatusOptions options, string className, string controllerName, ILogger logger, PorticoMetrics metrics)
    {
        _client = client;
        _options = options;
        _className = className;
        _controllerName = controllerName;
        _logger = logger;
        _metrics = metrics;
        _addresses = new PublishedAddressSource(client, options);
    }

    /// <summary>One pass over every Ingress; false when anything failed (the caller retries later).</summary>
    public async Task<bool> SyncAsync(IEnumerable<ObjectStatus> statuses, CancellationToken cancellationToken)
    {
        var wanted = statuses
            .Where(s => s.Target.Kind == KnownKinds.Ingress && s.Addresses != AddressPublication.None)
            .ToDictionary(s => new NamespacedName(s.Target.Namespace, s.Target.Name), s => s.Addresses);
        try
        {
            var desired = await _addresses.ReadAsync(cancellationToken);
            bool? classTaken = null;
            bool allWritten = true;
            int written = 0;
            foreach (var ingress in await ListIngressesAsync(cancellationToken))
            {
                var publication = wanted.GetValueOrDefault(new NamespacedName(ingress.Metadata.NamespaceProperty ?? string.Empty, ingress.Metadata.Name));
                if (Target(ingress, publication, desired) is null)
                {
                    continue;
                }

                // Taking our addresses off an Ingress we do not serve is right only while the class is really ours.
                if (publication == AddressPublication.Withdraw && (classTaken ??= await IsClassTakenAsync(cancellationToken)))
                {
                    continue;
                }

                var outcome = await WriteAsync(ingress, publication, desired, cancellationToken);
                allWritten &= outcome is not null;
                written += outcome == true ? 1 : 0;
            }

            // Joined outside the call: the analyzer counts any work in a log argument, and a sync is rare next to its requests.
            string addresses = string.Join(", ", desired);
            int served = wanted.Values.Count(p => p == AddressPublication.Publish);
            LogSynced(served, written, addresses);
            return allWritten;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSyncFailed(e.Message);
            return false;
        }
    }

    /// <summary>
    /// Writes one Ingress's status. True when written, false when nothing was left to write (it changed or went
    /// away meanwhile), null when the write failed.
    /// </summary>
    private async Task<bool?> WriteAsync(V1Ingress ingress, AddressPublication publication, ImmutableArray<PublishedAddress> desired, CancellationToken cancellationToken)
    {
        string ns = ingress.Metadata.NamespaceProperty;
        string name = ingress.Metadata.Name;
        for (int attempt = 1; ; attempt++)
        {
            if (Target(ingress, publication, desired) is not { } target)
            {
                return false;
            }

            ingress.ApiVersion = IngressApiVersion;
            ingress.Kind = KnownKinds.Ingress;
            ingress.Status ??= new V1IngressStatus();
            ingress.Status.LoadBalancer = new V1IngressLoadBalancerStatus { Ingress = target.Count == 0 ? null : target };
            try
            {
                await _client.NetworkingV1.ReplaceNamespacedIngressStatusAsync(ingress, name, ns, cancellationToken: cancellationToken);
                _metrics.StatusWrites.WithLabels("updated").Inc();
                string written = string.Join(", ", target.Select(t => t.Ip ?? t.Hostname));
                LogWritten(ns, name, written);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < MaxWriteAttempts)
            {
                _metrics.StatusWrites.WithLabels("conflict").Inc();
                LogConflict(ns, name, attempt);
                try
                {
                    ingress = await _client.NetworkingV1.ReadNamespacedIngressAsync(name, ns, cancellationToken: cancellationToken);
                }
                catch (HttpOperationException gone) when (gone.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            catch (HttpOperationException e)
            {
                _metrics.StatusWrites.WithLabels("failed").Inc();
                LogWriteFailed(ns, name, (int)e.Response.StatusCode, e.Message);
                return null;
            }
        }
    }

    /// <summary>The status.loadBalancer.ingress this Ingress should get, or null to leave it as it is.</summary>
    private List<V1IngressLoadBalancerIngress>? Target(V1Ingress ingress, AddressPublication publication, ImmutableArray<PublishedAddress> desired)
    {
        var claim = IngressClassClaims.Of(ingress, _className);
        if (publication == AddressPublication.None || claim == IngressClassClaim.Foreign)
        {
            return null;
        }

        var current = ingress.Status?.LoadBalancer?.Ingress ?? [];
        if (publication == AddressPublication.Publish)
        {
            var asAddresses = current.Select(AddressOf).ToList();
            bool same = asAddresses.Count == desired.Length
                && asAddresses.All(a => a is not null)
                && asAddresses.Order().SequenceEqual(desired);
            return same ? null : [.. desired.Select(a => new V1IngressLoadBalancerIngress { Ip = a.Ip, Hostname = a.Hostname })];
        }

        // Withdraw only from an Ingress that, as it reads now, still names our class.
        if (claim != IngressClassClaim.Ours)
        {
            return null;
        }

        var kept = current.Where(entry => AddressOf(entry) is not { } address || !desired.Contains(address)).ToList();
        return kept.Count == current.Count ? null : kept;
    }

    /// <summary>An entry as Portico would have written it (an IP or a host name, no ports), else null.</summary>
    private static PublishedAddress? AddressOf(V1IngressLoadBalancerIngress entry)
    {
        if (entry.Ports is { Count: > 0 } || (entry.Ip is not null && entry.Hostname is not null))
        {
            return null;
        }

        return PublishedAddress.TryParse(entry.Ip ?? entry.Hostname, out var address) ? address : null;
    }

    private async Task<List<V1Ingress>> ListIngressesAsync(CancellationToken cancellationToken)
    {
        var all = new List<V1Ingress>();
        string? continueToken = null;
        do
        {
            var page = _options.Namespace is { } ns
                ? await _client.NetworkingV1.ListNamespacedIngressAsync(ns, continueParameter: continueToken, limit: PageSize, cancellationToken: cancellationToken)
                : await _client.NetworkingV1.ListIngressForAllNamespacesAsync(continueParameter: continueToken, limit: PageSize, cancellationToken: cancellationToken);
            all.AddRange(page.Items);
            continueToken = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        return all;
    }

    /// <summary>Whether an IngressClass of our name exists and belongs to another controller (then nothing of that class is ours).</summary>
    private async Task<bool> IsClassTakenAsync(CancellationToken cancellationToken)
    {
        try
        {
            var ingressClass = await _client.NetworkingV1.ReadIngressClassAsync(_className, cancellationToken: cancellationToken);
            return ingressClass.Spec?.Controller != _controllerName;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingress status synced: {Served} Ingresses served, {Written} written, addresses [{Addresses}]")]
    private partial void LogSynced(int served, int written, string addresses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingress status sync failed ({Reason}); retrying later")]
    private partial void LogSyncFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote status of Ingress {Namespace}/{Name}: [{Addresses}]")]
    private partial void LogWritten(string @namespace, string name, string addresses);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Status of Ingress {Namespace}/{Name} changed meanwhile (409, attempt {Attempt}); reading it again")]
    private partial void LogConflict(string @namespace, string name, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing status of Ingress {Namespace}/{Name} failed ({Code}: {Reason})")]
    private partial void LogWriteFailed(string @namespace, string name, int code, string reason);
}
