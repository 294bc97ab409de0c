using System.Collections.Immutable;
using Portico.Core.Kubernetes;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Building.Policies;

/// <summary>
/// Reads the IngressPolicies of a snapshot for one build: parses each (all or nothing), merges the parsed ones per
/// target Ingress (<see cref="PolicyMerger"/>), and decides what the proxy must do about them; both renderers
/// enforce every field. <b>Access control fails closed</b>: when a policy that carries IP lists, basic or external
/// auth is refused, its target's routes (those of its sectionName host, when set) answer 403 instead of serving openly.
/// </summary>
internal sealed class IngressPolicyBinder
{
    public const string Kind = IngressPolicy.KubeKind;

    private readonly ClusterSnapshot _snapshot;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<NamespacedName, List<Denial>> _denials = [];
    private readonly List<(IngressPolicy Policy, ObjectRef Self, ImmutableArray<StatusCondition> Conflicts)> _bound = [];
    private readonly Dictionary<NamespacedName, List<Applied>> _applied = [];
    private readonly Dictionary<(NamespacedName Ingress, HostPattern Host), PolicySpec?> _merged = [];
    private readonly Dictionary<NamespacedName, List<IngressPolicy>> _targeting = [];

    public IngressPolicyBinder(ClusterSnapshot snapshot, DiagnosticBag diagnostics)
    {
        _snapshot = snapshot;
        _diagnostics = diagnostics;
        Bind();
    }

    /// <summary>The 403 a route of <paramref name="ingress"/> on <paramref name="host"/> gets instead of its action, or null.</summary>
    public RespondAction? DenialFor(NamespacedName ingress, HostPattern host)
    {
        if (!_denials.TryGetValue(ingress, out var denials))
        {
            return null;
        }

        var denial = denials.FirstOrDefault(d => d.Host is null || d.Host == host);
        return denial is null ? null : new RespondAction(403, $"access control of {denial.Policy} cannot be enforced; denied rather than served openly");
    }

    /// <summary>
    /// The merged policy for the routes of <paramref name="ingress"/> on <paramref name="host"/>: every applied policy
    /// that targets the Ingress as a whole or that host by sectionName, field by field, oldest first. Null when none.
    /// </summary>
    public PolicySpec? PolicyFor(NamespacedName ingress, HostPattern host)
    {
        if (!_applied.TryGetValue(ingress, out var applied))
        {
            return null;
        }

        // Asked for every route of the host (its policy, its redirect, its split): merged once per Ingress and host.
        if (!_merged.TryGetValue((ingress, host), out var merged))
        {
            var candidates = applied.Where(a => a.Host is null || a.Host == host).Select(a => a.Candidate).ToList();
            merged = candidates.Count == 0 ? null : PolicyMerger.Merge(candidates).Merged;
            _merged[(ingress, host)] = merged;
        }

        return merged;
    }

    /// <summary>
    /// The policies that give <paramref name="ingress"/> a policy or a denial, in the order they were read: all that
    /// <see cref="PolicyFor"/> and <see cref="DenialFor"/> answer from. The same objects give the same answers.
    /// </summary>
    public IReadOnlyList<IngressPolicy> Targeting(NamespacedName ingress) => _targeting.TryGetValue(ingress, out var policies) ? policies : [];

    /// <summary>The status subjects of every policy: ResolvedRefs against the Ingresses served, Conflicted from the merge.</summary>
    public IEnumerable<StatusSubject> Subjects(IReadOnlySet<ObjectRef> served) => _bound.Select(bound =>
    {
        var target = bound.Policy.Spec?.TargetRef?.Name is { } name ? new ObjectRef(KnownKinds.Ingress, bound.Self.Namespace, name) : null;
        var resolved = target is not null && served.Contains(target)
            ? new StatusCondition("ResolvedRefs", ConditionStatus.True, "ResolvedRefs", $"targets {target}", null)
            : new StatusCondition("ResolvedRefs", ConditionStatus.False, "TargetNotFound", $"no Ingress {Printable.Quote(bound.Policy.Spec?.TargetRef?.Name)} of this namespace is served by Portico", null);
        return new StatusSubject(bound.Self, StatusResources.IngressPolicies, bound.Policy.Metadata.Generation, [resolved, .. bound.Conflicts]);
    });

    private void Bind()
    {
        var parsed = new List<(IngressPolicy Policy, ObjectRef Self, PolicySpec Spec)>();
        foreach (var policy in _snapshot.Of<IngressPolicy>().Values.OrderBy(p => p.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            string ns = policy.Metadata.NamespaceProperty ?? "default";
            var self = new ObjectRef(Kind, ns, policy.Metadata.Name);
            if (!HasValidName(policy, self))
            {
                continue;
            }

            var (spec, errors) = PolicySpecParser.Parse(policy.Spec);
            if (policy.Metadata.Uid is { Length: > 0 } uid && !Guid.TryParseExact(uid, "D", out _))
            {
                errors = [.. errors, ("metadata.uid", $"{Printable.Quote(uid)} is not an RFC 4122 UUID, so the object was not written by an API server; it is not used")];
                spec = null;
            }

            foreach (var (field, message) in errors)
            {
                _diagnostics.Error(self, field, message + "; the policy is not applied");
            }

            if (spec is null)
            {
                DenyIfAccessControl(policy, self, CarriesAccessControl(policy.Spec), "refused");
                _bound.Add((policy, self, []));
                continue;
            }

            parsed.Add((policy, self, spec));
        }

        // Conflicts: within each sectionName group plus the policies of the whole Ingress (which also reach that
        // host), and among the whole-Ingress policies alone. Independent of which hosts the Ingress has.
        var conflictsByPolicy = new Dictionary<ObjectRef, List<PolicyMerger.Conflict>>();
        foreach (var target in parsed.GroupBy(p => (p.Self.Namespace, p.Policy.Spec!.TargetRef!.Name)))
        {
            var whole = target.Where(p => p.Policy.Spec!.TargetRef!.SectionName is null).ToList();
            var groups = target.Where(p => p.Policy.Spec!.TargetRef!.SectionName is not null)
                .GroupBy(p => p.Policy.Spec!.TargetRef!.SectionName, StringComparer.Ordinal)
                .Select(g => whole.Concat(g).ToList())
                .Append(whole);
            foreach (var group in groups)
            {
                var (_, conflicts) = PolicyMerger.Merge(group.Select(p => new PolicyMerger.Candidate(p.Self, p.Policy.Metadata.CreationTimestamp, p.Spec)));
                foreach (var conflict in conflicts)
                {
                    var list = conflictsByPolicy.TryGetValue(conflict.Loser, out var found) ? found : conflictsByPolicy[conflict.Loser] = [];
                    if (!list.Contains(conflict))
                    {
                        list.Add(conflict);
                    }
                }
            }
        }

        foreach (var (policy, self, spec) in parsed)
        {
            Apply(policy, self, spec);

            var conflicts = conflictsByPolicy.TryGetValue(self, out var found) ? found : [];
            var conflicted = conflicts.Count == 0
                ? new StatusCondition("Conflicted", ConditionStatus.False, "NoConflicts", "no other policy sets the same fields of this target", null)
                : new StatusCondition("Conflicted", ConditionStatus.True, "Conflicted", string.Join("; ", conflicts.Select(c => $"{c.Field} is set by {c.Winner} (older), which wins")), null);
            _bound.Add((policy, self, [conflicted]));
        }
    }

    /// <summary>Records an accepted policy for its target (narrowed to the sectionName host when set).</summary>
    private void Apply(IngressPolicy policy, ObjectRef self, PolicySpec spec)
    {
        var targetRef = policy.Spec!.TargetRef!;
        HostPattern? host = null;
        if (targetRef.SectionName is { } section)
        {
            if (!HostParser.TryParse(section, out var parsedHost, out _))
            {
                return;
            }

            host = parsedHost;
        }

        var key = new NamespacedName(self.Namespace, targetRef.Name!);
        (_applied.TryGetValue(key, out var list) ? list : _applied[key] = []).Add(new Applied(new PolicyMerger.Candidate(self, policy.Metadata.CreationTimestamp, spec), host));
        Target(key, policy);
    }

    private void Target(NamespacedName ingress, IngressPolicy policy) =>
        (_targeting.TryGetValue(ingress, out var list) ? list : _targeting[ingress] = []).Add(policy);

    private bool HasValidName(IngressPolicy policy, ObjectRef self)
    {
        if (Values.DnsGrammar.IsLabel(self.Namespace) && Values.DnsGrammar.IsSubdomain(policy.Metadata.Name))
        {
            return true;
        }

        _diagnostics.Error(self, "metadata", "namespace must be an RFC 1123 label and name an RFC 1123 subdomain; the policy is not used");
        return false;
    }

    /// <summary>Access control as written, for a policy whose values were refused (its parsed form does not exist).</summary>
    private static bool CarriesAccessControl(IngressPolicySpec? spec) =>
        spec is not null && (spec.IpAllowList is not null || spec.IpDenyList is not null || spec.BasicAuth is not null || spec.ExternalAuth is not null);

    private void DenyIfAccessControl(IngressPolicy policy, ObjectRef self, bool carriesAccessControl, string why)
    {
        if (!carriesAccessControl || policy.Spec?.TargetRef?.Name is not { } name)
        {
            return;
        }

        HostPattern? host = null;
        if (policy.Spec.TargetRef.SectionName is { } section && HostParser.TryParse(section, out var parsed, out _))
        {
            host = parsed;
        }

        var key = new NamespacedName(self.Namespace, name);
        (_denials.TryGetValue(key, out var list) ? list : _denials[key] = []).Add(new Denial(self, host));
        Target(key, policy);
        _diagnostics.Warning(new ObjectRef(KnownKinds.Ingress, self.Namespace, name), "metadata.name", $"{self} carries access control that is {why}; {(host is null ? "every route" : $"every route of host {host}")} of this Ingress answers 403 until it is fixed");
    }

    private sealed record Denial(ObjectRef Policy, HostPattern? Host);

    private sealed record Applied(PolicyMerger.Candidate Candidate, HostPattern? Host);
}
