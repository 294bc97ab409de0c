using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portico.Core.Kubernetes;
using Portico.Observability;

namespace Portico.Watching;

/// <summary>What every watcher shares: where to send events, how to behave, time, logs and metrics.</summary>
public sealed record WatcherContext(ChannelWriter<StoreEvent> Output, WatchOptions Options, TimeProvider Time, ILoggerFactory Logs, PorticoMetrics Metrics);
