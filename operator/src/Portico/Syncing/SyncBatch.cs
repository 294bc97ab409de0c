using Portico.Core.Kubernetes;

namespace Portico.Syncing;

/// <summary>A snapshot to rebuild from, with when its first change arrived (for the sync-duration metric).</summary>
public sealed record SyncBatch(ClusterSnapshot Snapshot, long FirstChangeTimestamp);
