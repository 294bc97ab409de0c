using System.Collections.Immutable;
using Portico.Core.Model;

namespace Portico.Core.Explaining;

/// <summary>
/// The verdict for one request: what the proxy does (<see cref="Action"/>, the <see cref="Status"/> it answers itself
/// with, or the <see cref="Backend"/> it forwards to), which virtual host (<see cref="Host"/>: "" for the any-host),
/// which route (<see cref="Ingress"/>, <see cref="Rule"/> index, <see cref="Path"/>, <see cref="PathType"/>; Ingress
/// and Rule null for the implied 404 and Rule null for spec.defaultBackend), and what else matched and lost.
/// <see cref="Status"/> is null when the request is forwarded: the backend answers.
/// </summary>
public sealed record Explanation(
    ExplainedAction Action,
    int? Status,
    ExplainedBackend? Backend,
    ObjectRef? Ingress,
    int? Rule,
    string Field,
    string Path,
    string PathType,
    string Host,
    string Reason,
    string? Location,
    ImmutableArray<string> Policies,
    ImmutableArray<ConsideredRoute> Considered);
