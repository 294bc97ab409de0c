using k8s;
using Microsoft.Extensions.Logging;
using Portico.Leadership;
using Portico.Observability;
using Portico.Options;
using Portico.Syncing;

namespace Portico.Status;

/// <summary>
/// The leader-only side of the operator in one place: leadership (a Lease, or <see cref="AlwaysLeader"/> when
/// election is off), the status writer (any kind) and the diagnostic Event recorder. Give <see cref="Listeners"/> to the
/// config pipeline and run <see cref="RunAsync"/> beside it; cancelling that token stops all three and releases the
/// Lease. Every replica builds and renders regardless; only what happens here waits for leadership.
/// </summary>
public sealed class StatusServices : IDisposable
{
    private readonly LeaseLeadership? _lease;

    public StatusServices(
        IKubernetes client,
        ResolvedOptions options,
        string identity,
        string operatorNamespace,
        TimeProvider time,
        ILoggerFactory logs,
        PorticoMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(metrics);
        Identity = identity;
        if (options.LeaderElection.Enabled)
        {
            _lease = new LeaseLeadership(
                client, options.LeaderElection, options.LeaderElection.LeaseNamespace ?? operatorNamespace, identity, time, logs.CreateLogger<LeaseLeadership>(), metrics);
            Leadership = _lease;
        }
        else
        {
            Leadership = new AlwaysLeader();
            metrics.Leader.Set(1);
        }

        StatusWriter = new StatusWriter(client, options.Status, options.Build, Leadership, time, logs.CreateLogger<StatusWriter>(), metrics);
        EventRecorder = new DiagnosticEventRecorder(
            client, new EventRecorderOptions { ReportingInstance = identity }, Leadership, time, logs.CreateLogger<DiagnosticEventRecorder>(), metrics);
    }

    public string Identity { get; }

    public ILeadership Leadership { get; }

    public StatusWriter StatusWriter { get; }

    public DiagnosticEventRecorder EventRecorder { get; }

    /// <summary>For <see cref="ConfigPipeline"/>'s listeners: both only queue the model.</summary>
    public IReadOnlyList<IModelListener> Listeners => [StatusWriter, EventRecorder];

    /// <summary>With an identity from the pod name and the Lease in Portico's own namespace (unless configured).</summary>
    public static StatusServices Create(IKubernetes client, ResolvedOptions options, TimeProvider time, ILoggerFactory logs, PorticoMetrics metrics) =>
        new(client, options, LeaseLeadership.NewIdentity(), OperatorNamespace.Detect(), time, logs, metrics);

    /// <summary>Runs election, status writer and Event recorder until cancelled; completes once the Lease is released.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(
            _lease?.RunAsync(cancellationToken) ?? Task.CompletedTask,
            StatusWriter.RunAsync(cancellationToken),
            EventRecorder.RunAsync(cancellationToken));

    public void Dispose() => _lease?.Dispose();
}
