using Prometheus;

namespace Portico.Observability;

/// <summary>
/// Everything Portico exports on /metrics. One instance per registry, so tests (and two operators in one process)
/// do not share counters.
/// </summary>
public sealed class PorticoMetrics
{
    public PorticoMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        BuildDuration = factory.CreateHistogram("portico_build_duration_seconds", "Time to build the model from a snapshot.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        Builds = factory.CreateCounter("portico_builds_total", "Model builds, by kind (full: from the whole snapshot; endpoints: a batch of EndpointSlice changes applied to the previous model's endpoint lists).", new CounterConfiguration { LabelNames = ["kind"] });
        PreparedBuilds = factory.CreateCounter("portico_prepared_builds_total", "Builds and renderings made ahead of their batch (while its holdoff ran, or while the previous configuration was applied), by outcome (used: the batch was that snapshot; discarded: a later change superseded it).", new CounterConfiguration { LabelNames = ["outcome"] });
        IngressPlans = factory.CreateCounter("portico_ingress_plans_total", "Ingresses of full builds, by whether their plan was made again (planned) or kept from the last build because nothing it was made from changed (reused).", new CounterConfiguration { LabelNames = ["outcome"] });
        RenderDuration = factory.CreateHistogram("portico_render_duration_seconds", "Time to render the proxy configuration.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        SyncDuration = factory.CreateHistogram("portico_sync_duration_seconds", "Time from the first change of a batch to the applied (or skipped) configuration.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 14) });
        Reloads = factory.CreateCounter("portico_reloads_total", "Proxy reloads, by result (success, invalid, failed, rolled_back).", new CounterConfiguration { LabelNames = ["result"] });
        LiveUpdates = factory.CreateCounter("portico_live_updates_total", "Endpoint changes applied without a proxy reload, by result (success, failed).", new CounterConfiguration { LabelNames = ["result"] });
        ConfigInfo = factory.CreateGauge("portico_config_info", "The configuration the proxy runs: 1 for its hash.", new GaugeConfiguration { LabelNames = ["hash"] });
        WatchRestarts = factory.CreateCounter("portico_watch_restarts_total", "Watches restarted, by kind and reason (error, expired, silent, closed).", new CounterConfiguration { LabelNames = ["kind", "reason"] });
        KindAvailable = factory.CreateGauge("portico_kind_available", "1 when the kind's resource answered its last list, 0 while an optional kind's resource is not installed (404), by kind.", new GaugeConfiguration { LabelNames = ["kind"] });
        Objects = factory.CreateGauge("portico_objects", "Objects in the store, by kind.", new GaugeConfiguration { LabelNames = ["kind"] });
        LastSuccessfulReload = factory.CreateGauge("portico_last_successful_reload_timestamp_seconds", "Unix time of the last confirmed reload.");
        Diagnostics = factory.CreateGauge("portico_diagnostics", "Diagnostics of the last build, by severity.", new GaugeConfiguration { LabelNames = ["severity"] });
        SkippedBuilds = factory.CreateCounter("portico_unchanged_configs_total", "Rebuilds whose rendered configuration was unchanged, so nothing was applied.");
        Leader = factory.CreateGauge("portico_leader", "1 while this replica holds the leader Lease (writes status and Events), else 0.");
        StatusSyncs = factory.CreateCounter("portico_status_syncs_total", "Ingress status syncs by the leader, by result (ok, failed).", new CounterConfiguration { LabelNames = ["result"] });
        StatusWrites = factory.CreateCounter("portico_status_writes_total", "Ingress status writes, by result (updated, conflict, failed).", new CounterConfiguration { LabelNames = ["result"] });
        Events = factory.CreateCounter("portico_events_total", "Kubernetes Events for diagnostics, by result (created, updated, dropped by the rate limit, failed).", new CounterConfiguration { LabelNames = ["result"] });
    }

    public CollectorRegistry Registry { get; }

    public Histogram BuildDuration { get; }

    public Counter Builds { get; }

    public Counter PreparedBuilds { get; }

    public Counter IngressPlans { get; }

    public Histogram RenderDuration { get; }

    public Histogram SyncDuration { get; }

    public Counter Reloads { get; }

    public Counter LiveUpdates { get; }

    public Gauge ConfigInfo { get; }

    public Counter WatchRestarts { get; }

    public Gauge Objects { get; }

    public Gauge KindAvailable { get; }

    public Gauge LastSuccessfulReload { get; }

    public Gauge Diagnostics { get; }

    public Counter SkippedBuilds { get; }

    public Gauge Leader { get; }

    public Counter StatusSyncs { get; }

    public Counter StatusWrites { get; }

    public Counter Events { get; }

    /// <summary>Exactly one hash label is 1: the configuration running now.</summary>
    public void SetConfigHash(string hash)
    {
        foreach (var labels in ConfigInfo.GetAllLabelValues().ToList())
        {
            ConfigInfo.RemoveLabelled(labels);
        }

        ConfigInfo.WithLabels(hash).Set(1);
    }
}
