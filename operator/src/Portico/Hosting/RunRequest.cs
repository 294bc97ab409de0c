using Portico.Core.Kubernetes;
using Portico.Options;

namespace Portico.Hosting;

/// <summary>Everything `portico run` was asked to do, resolved and validated.</summary>
/// <param name="Manifests">Local mode: manifest files and directories to watch instead of a cluster.</param>
/// <param name="Kubeconfig">Cluster mode: a kubeconfig file; null for the in-cluster service account.</param>
/// <param name="DemoBackends">Local mode: answer on loopback endpoints the manifests name, as tiny demo backends.</param>
public sealed record RunRequest(ResolvedOptions Options, RunSettings Run, IReadOnlyList<string>? Manifests, string? Kubeconfig, bool DemoBackends)
{
    public bool IsLocal => Manifests is { Count: > 0 };

    /// <summary>The kinds to watch (cluster) or read (local mode); tests add their own.</summary>
    public KindRegistry Kinds { get; init; } = KindRegistry.Default;
}
