using System.Collections.Immutable;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.Leadership;
using Portico.Observability;
using Portico.Syncing;

namespace Portico.Status;

/// <summary>
/// Publishes the proxies' addresses into status.loadBalancer.ingress of the Ingresses Portico serves, while this
/// replica leads. A sync lists the Ingresses, and writes the status subresource of each whose status differs:
/// <list type="bullet">
/// <item>served (in the model): exactly the published addresses, sorted;</item>
/// <item>not served but naming our class (rejected as a whole): the published addresses are removed, anything else kept;</item>
/// <item>naming another class, or no class and not served: never touched.</item>
/// </list>
/// Writes carry the resourceVersion read, so a concurrent change is a 409: the Ingress is read again, the decision
/// made again on what it now says, and the write retried (bounded). A sync runs when a term starts, when the set of
/// served Ingresses changes (not on every model: endpoint churn rebuilds often and changes nothing here), every
/// resync period, and after a failure with growing delays. <see cref="OnModel"/> only posts the model.
/// </summary>
public sealed partial class IngressStatusWriter : IModelListener
{
    private const int MaxWriteAttempts = 5;
    private const int PageSize = 500;
    private const string IngressApiVersion = "networking.k8s.io/v1";
    private static readonly TimeSpan InitialRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly IKubernetes _client;
    private readonly IngressStatusOptions _options;
    private readonly string _className;
    private readonly string _controllerName;
    private readonly ILeadership _leadership;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PorticoMetrics _metrics;
    private readonly PublishedAddressSource _addresses;
    private readonly ModelMailbox _mailbox = new();
    private ProxyModel? _latest;

    public IngressStatusWriter(
        IKubernetes client,
        IngressStatusOptions options,
        BuildOptions build,
        ILeadership leadership,
        TimeProvider time,
        ILogger<IngressStatusWriter> logger,
        PorticoMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(build);
        _client = client;
        _options = options;
        _className = build.IngressClassName;
        _controllerName = build.ControllerName;
        _leadership = leadership;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _addresses = new PublishedAddressSource(client, options);
    }

    /// <summary>Counts the times the writer finished its work and waits for more (a test seam).</summary>
    internal IdleSignal Idle { get; } = new();

    public void OnModel(ProxyModel model) => _mailbox.Post(model);

    /// <summary>Writes status during every term of leadership until cancelled. Returns at once when publishing is off.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            LogDisabled();
            return;
        }

        await _leadership.RunEachTermAsync(LeadAsync, cancellationToken);
    }

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        ImmutableArray<ObjectRef>? syncedServed = null;
        bool resyncDue = true;
        long? nextSyncAt = null;
        var retryDelay = InitialRetryDelay;
        while (true)
        {
            while (_mailbox.TryTake(out var model))
            {
                _latest = model;
            }

            if (_latest is { } latest && (resyncDue || syncedServed is not { } served || !served.SequenceEqual(latest.ServedIngresses)))
            {
                if (await SyncAsync(latest, cancellationToken))
                {
                    syncedServed = latest.ServedIngresses.AsImmutableArray();
                    retryDelay = InitialRetryDelay;
                    nextSyncAt = _time.GetTimestamp() + (long)(_options.ResyncPeriod.TotalSeconds * _time.TimestampFrequency);
                }
                else
                {
                    syncedServed = null;
                    nextSyncAt = _time.GetTimestamp() + (long)(retryDelay.TotalSeconds * _time.TimestampFrequency);
                    retryDelay = retryDelay * 2 < MaxRetryDelay ? retryDelay * 2 : MaxRetryDelay;
                }
            }

            resyncDue = await WaitAsync(nextSyncAt, cancellationToken);
        }
    }

    /// <summary>Waits for a newer model or the next sync time; true when the time came. Arms both before signalling idle.</summary>
    private async Task<bool> WaitAsync(long? until, CancellationToken cancellationToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var model = _mailbox.WaitAsync(wake.Token);
        var delay = until is { } at
            ? _time.GetElapsedTime(_time.GetTimestamp(), Math.Max(at, _time.GetTimestamp()))
            : Timeout.InfiniteTimeSpan;
        var timer = Task.Delay(delay, _time, wake.Token);
        Idle.Increment();
        await Task.WhenAny(model, timer);
        await wake.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return timer.IsCompletedSuccessfully;
    }

    /// <summary>One pass over every Ingress; false when anything failed (the caller retries later).</summary>
    private async Task<bool> SyncAsync(ProxyModel model, CancellationToken cancellationToken)
    {
        try
        {
            var desired = await _addresses.ReadAsync(cancellationToken);
            var served = model.ServedIngresses.Select(r => new NamespacedName(r.Namespace, r.Name)).ToHashSet();
            bool? classTaken = null;
            bool allWritten = true;
            int written = 0;
            foreach (var ingress in await ListIngressesAsync(cancellationToken))
            {
                bool isServed = served.Contains(new NamespacedName(ingress.Metadata.NamespaceProperty ?? string.Empty, ingress.Metadata.Name));
                if (Target(ingress, isServed, desired) is null)
                {
                    continue;
                }

                // Taking our addresses off an Ingress we do not serve is right only while the class is really ours.
                if (!isServed && (classTaken ??= await IsClassTakenAsync(cancellationToken)))
                {
                    continue;
                }

                var outcome = await WriteAsync(ingress, isServed, desired, cancellationToken);
                allWritten &= outcome is not null;
                written += outcome == true ? 1 : 0;
            }

            _metrics.StatusSyncs.WithLabels(allWritten ? "ok" : "failed").Inc();
            // Joined outside the call: the analyzer counts any work in a log argument, and a sync is rare next to its requests.
            string addresses = string.Join(", ", desired);
            LogSynced(served.Count, written, addresses);
            return allWritten;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _metrics.StatusSyncs.WithLabels("failed").Inc();
            LogSyncFailed(e.Message);
            return false;
        }
    }

    /// <summary>
    /// Writes one Ingress's status. True when written, false when nothing was left to write (it changed or went
    /// away meanwhile), null when the write failed.
    /// </summary>
    private async Task<bool?> WriteAsync(V1Ingress ingress, bool isServed, ImmutableArray<PublishedAddress> desired, CancellationToken cancellationToken)
    {
        string ns = ingress.Metadata.NamespaceProperty;
        string name = ingress.Metadata.Name;
        for (int attempt = 1; ; attempt++)
        {
            if (Target(ingress, isServed, desired) is not { } target)
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
    private List<V1IngressLoadBalancerIngress>? Target(V1Ingress ingress, bool isServed, ImmutableArray<PublishedAddress> desired)
    {
        var claim = IngressClassClaims.Of(ingress, _className);
        if (claim == IngressClassClaim.Foreign)
        {
            return null;
        }

        var current = ingress.Status?.LoadBalancer?.Ingress ?? [];
        if (isServed)
        {
            var asAddresses = current.Select(AddressOf).ToList();
            bool same = asAddresses.Count == desired.Length
                && asAddresses.All(a => a is not null)
                && asAddresses.Order().SequenceEqual(desired);
            return same ? null : [.. desired.Select(a => new V1IngressLoadBalancerIngress { Ip = a.Ip, Hostname = a.Hostname })];
        }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "No status:publishService or status:addresses configured; Ingress status is not written")]
    private partial void LogDisabled();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Status synced: {Served} Ingresses served, {Written} written, addresses [{Addresses}]")]
    private partial void LogSynced(int served, int written, string addresses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status sync failed ({Reason}); retrying later")]
    private partial void LogSyncFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote status of Ingress {Namespace}/{Name}: [{Addresses}]")]
    private partial void LogWritten(string @namespace, string name, string addresses);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Status of Ingress {Namespace}/{Name} changed meanwhile (409, attempt {Attempt}); reading it again")]
    private partial void LogConflict(string @namespace, string name, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing status of Ingress {Namespace}/{Name} failed ({Code}: {Reason})")]
    private partial void LogWriteFailed(string @namespace, string name, int code, string reason);
}
