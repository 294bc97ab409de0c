using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// What one Ingress contributes to a build, worked out from the Ingress and what it refers to alone
/// (<see cref="IngressPlanner"/>): what is said of it whatever the others do, and its claims (its routes, and the
/// rarer <see cref="PlanStep"/>s) that the build settles in precedence order, oldest Ingress first. With the inputs it
/// was made from, so a later build can use it again when none of them changed (ADR 0020): the Ingress, every Service
/// and Secret read, the policies that target it and whether each upstream it used had ready endpoints. A memo keeps
/// 10,000 of these between builds, so what most Ingresses do not have is kept apart (<see cref="Rare"/>).
/// </summary>
internal sealed class IngressPlan
{
    public required V1Ingress Ingress { get; init; }

    public required ObjectRef Self { get; init; }

    /// <summary>False for an Ingress refused as a whole (invalid name, too many rules).</summary>
    public required bool Served { get; init; }

    public required KeyValuePair<NamespacedName, V1Service?>[] Services { get; init; }

    /// <summary>Upstreams used whatever the claims' outcome: they join the model.</summary>
    public required UpstreamUse[] Upstreams { get; init; }

    /// <summary>Rule paths' routes, in order; each refused with an error when its host and match are taken.</summary>
    public required (HostPattern Host, Route Route)[] Routes { get; init; }

    /// <summary>Null when the Ingress read no Secret, is targeted by no policy, says nothing and has no other claim.</summary>
    public required PlanRare? Rare { get; init; }
}

/// <summary>The parts of a plan that most Ingresses do not have.</summary>
internal sealed record PlanRare(
    KeyValuePair<NamespacedName, V1Secret?>[] Secrets,
    IngressPolicy[] Policies,
    Diagnostic[] Diagnostics,
    UnservedRule[] Unserved,
    (HostPattern Host, PathMatch Match)[] RedirectsOff,
    PlanStep[] Steps)
{
    /// <summary>The rare parts, or null when all are empty.</summary>
    public static PlanRare? Of(KeyValuePair<NamespacedName, V1Secret?>[] secrets, IngressPolicy[] policies, Diagnostic[] diagnostics, UnservedRule[] unserved, (HostPattern, PathMatch)[] redirectsOff, PlanStep[] steps) =>
        secrets.Length + policies.Length + diagnostics.Length + unserved.Length + redirectsOff.Length + steps.Length == 0
            ? null
            : new PlanRare(secrets, policies, diagnostics, unserved, redirectsOff, steps);
}

/// <summary>A claim of one Ingress, other than a rule path's route, that depends on the Ingresses before it; settled after its routes.</summary>
internal abstract record PlanStep;

/// <summary>
/// The default backend, with its policy: what resolving the policy said and used counts only when the claim wins
/// (no older Ingress defines one).
/// </summary>
internal sealed record DefaultBackendClaim(Route Route, Diagnostic[] Diagnostics, UpstreamUse[] Upstreams, (HostPattern Host, PathMatch Match)[] RedirectsOff) : PlanStep;

/// <summary>An ingress-nginx canary path, joining the main route of its host and match when there is one.</summary>
internal sealed record CanaryClaim(HostPattern Host, PathMatch Match, RouteAction Action, Model.Policies.CanaryRule Canary, string PathField, bool Denied) : PlanStep;

/// <summary>app-root's Exact "/" redirect; refused with a warning when the host already has an Exact "/".</summary>
internal sealed record AppRootClaim(HostPattern Host, Route Route) : PlanStep;

/// <summary>from-to-www-redirect for a host, settled once every Ingress has claimed its hosts.</summary>
internal sealed record WwwRedirectClaim(HostPattern Host) : PlanStep;

/// <summary>A host's TLS Secret (null: the default certificate); the oldest claim wins.</summary>
internal sealed record TlsClaimStep(HostPattern Host, NamespacedName? Secret, string Field) : PlanStep;
