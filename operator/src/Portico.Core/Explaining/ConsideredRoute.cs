using Portico.Core.Model;

namespace Portico.Core.Explaining;

/// <summary>
/// A host or route that also matched the request but did not serve it, and why: <see cref="Why"/> is "host" (a more
/// specific virtual host matched first), "precedence" (a route of the same host comes first: Exact before Prefix,
/// longer prefix first) or "conflict" (an Ingress claimed the same host, path and type after an older one; from the
/// build's diagnostics). <see cref="Ingress"/> and <see cref="Rule"/> are null where no rule declares it.
/// </summary>
public sealed record ConsideredRoute(string Why, string Host, string? Path, string? PathType, ObjectRef? Ingress, int? Rule, string Detail);
