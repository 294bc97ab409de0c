using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;
using Portico.Observability;

namespace Portico.Leadership;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease through KubernetesClient's <see cref="LeaderElector"/>. Terms
/// start and end with the elector's callbacks; <see cref="RunAsync"/> keeps competing until cancelled. On a graceful
/// stop the Lease is released (holder cleared, duration 1s, as client-go's ReleaseOnCancel does), so a follower takes
/// over at its next retry instead of waiting out the lease duration: the elector offers no such option itself.
/// </summary>
public sealed partial class LeaseLeadership : ILeadership, IDisposable
{
    /// <summary>Releasing happens during shutdown: it must not hold the process up for long.</summary>
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly string _leaseNamespace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PorticoMetrics _metrics;
    private readonly Lock _gate = new();
    private TaskCompletionSource<CancellationToken> _nextTerm = NewTermSignal();
    private CancellationTokenSource? _term;
    private string? _observedLeader;

    public LeaseLeadership(
        IKubernetes client,
        LeaderElectionOptions options,
        string leaseNamespace,
        string identity,
        TimeProvider time,
        ILogger<LeaseLeadership> logger,
        PorticoMetrics metrics)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseNamespace);
        ArgumentException.ThrowIfNullOrEmpty(identity);
        _client = client;
        _options = options;
        _leaseNamespace = leaseNamespace;
        Identity = identity;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _metrics.Leader.Set(0);
    }

    /// <summary>Raised after a term starts or ends (on the elector's thread; handlers must be quick).</summary>
    public event EventHandler? LeadershipChanged;

    /// <summary>This replica's name in the Lease's holderIdentity.</summary>
    public string Identity { get; }

    public bool IsLeader
    {
        get
        {
            lock (_gate)
            {
                return _term is not null;
            }
        }
    }

    /// <summary>The holder this replica last saw in the Lease (itself included), or null before the first look.</summary>
    public string? ObservedLeader => Volatile.Read(ref _observedLeader);

    /// <summary>
    /// A holder identity: the pod name (POD_NAME, else the host name) and a random suffix, so a restarted pod with the
    /// same name is a new candidate rather than a holder that resumes someone else's term.
    /// </summary>
    public static string NewIdentity()
    {
        string host = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;
        return string.Create(CultureInfo.InvariantCulture, $"{host}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
    }

    public Task<CancellationToken> WaitForTermAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _nextTerm.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Competes for the Lease until cancelled; then ends the term (if any) and releases the Lease.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var config = new LeaderElectionConfig(new LeaseLock(_client, _leaseNamespace, _options.LeaseName, Identity))
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        };
        using var elector = new LeaderElector(config);
        elector.OnStartedLeading += StartTerm;
        elector.OnStoppedLeading += EndTerm;
        elector.OnNewLeader += ObserveLeader;
        // The elector reports expected things here too (no Lease yet, a renewal that lost a race): detail, not warnings.
        elector.OnError += e => LogElectorError(e.Message);
        LogCompeting(Identity, _leaseNamespace, _options.LeaseName);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await elector.RunUntilLeadershipLostAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The elector gives up on errors it does not expect (API server unreachable, for one); compete again.
                    LogElectionError(e.Message);
                }

                // A lost term or a failure: wait a retry period, then compete again (followers poll this often anyway).
                await Task.Delay(_options.RetryPeriod, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            EndTerm();
            await ReleaseAsync();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _term?.Dispose();
            _term = null;
        }
    }

    private static TaskCompletionSource<CancellationToken> NewTermSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void StartTerm()
    {
        lock (_gate)
        {
            if (_term is not null)
            {
                return;
            }

            _term = new CancellationTokenSource();
            _nextTerm.TrySetResult(_term.Token);
        }

        _metrics.Leader.Set(1);
        LogStartedLeading(Identity);
        LeadershipChanged?.Invoke(this, EventArgs.Empty);
    }

    private void EndTerm()
    {
        lock (_gate)
        {
            if (_term is null)
            {
                return;
            }

            // Not disposed here: the workers of the term may still be linking to its token while they wind down.
            _term.Cancel();
            _term = null;
            _nextTerm = NewTermSignal();
        }

        _metrics.Leader.Set(0);
        LogStoppedLeading(Identity);
        LeadershipChanged?.Invoke(this, EventArgs.Empty);
    }

    private void ObserveLeader(string leader)
    {
        Volatile.Write(ref _observedLeader, leader);
        LogNewLeader(leader);
    }

    /// <summary>
    /// Gives the Lease up if this replica still holds it. The update carries the resourceVersion just read, so a
    /// Lease someone else took in between is left alone (409). An empty holder is what the elector treats as free.
    /// </summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(ReleaseTimeout, _time);
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _leaseNamespace, cancellationToken: timeout.Token);
            if (lease.Spec?.HolderIdentity != Identity)
            {
                return;
            }

            var now = _time.GetUtcNow().UtcDateTime;
            lease.Spec.HolderIdentity = string.Empty;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.AcquireTime = now;
            lease.Spec.RenewTime = now;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _leaseNamespace, cancellationToken: timeout.Token);
            LogReleased(_leaseNamespace, _options.LeaseName);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone, or taken over meanwhile: nothing of ours to release.
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException or KubernetesException)
        {
            // Followers take over when the lease expires instead.
            LogReleaseFailed(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Competing for leadership as {Identity} (Lease {Namespace}/{Name})")]
    private partial void LogCompeting(string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} is now the leader: it writes Ingress status and Events")]
    private partial void LogStartedLeading(string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} stopped leading")]
    private partial void LogStoppedLeading(string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "The leader is {Leader}")]
    private partial void LogNewLeader(string leader);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election failed: {Reason}")]
    private partial void LogElectionError(string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Leader elector: {Reason}")]
    private partial void LogElectorError(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released the Lease {Namespace}/{Name}")]
    private partial void LogReleased(string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the leader Lease ({Reason}); followers take over when it expires")]
    private partial void LogReleaseFailed(string reason);
}
