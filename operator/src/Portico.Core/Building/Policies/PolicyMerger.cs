using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Core.Building.Policies;

/// <summary>
/// Merges the accepted policies of one target field by field. Where two set the same field, the oldest
/// (creationTimestamp, then namespace and name) wins and every other one that set it is reported as conflicting on
/// that field (its status gets Conflicted=True naming the winner); fields nobody else set are used from every policy.
/// </summary>
public static class PolicyMerger
{
    /// <summary>One accepted policy of a target, with its age for the precedence.</summary>
    public sealed record Candidate(ObjectRef Policy, DateTime? Created, PolicySpec Spec);

    /// <summary>A field of <paramref name="Loser"/> not used because <paramref name="Winner"/> is older and sets it too.</summary>
    public sealed record Conflict(ObjectRef Loser, string Field, ObjectRef Winner);

    /// <summary>Every field of <see cref="PolicySpec"/>, by its name in the CRD: how to read it and how to set it.</summary>
    internal static IReadOnlyList<(string Name, Func<PolicySpec, object?> Get, Func<PolicySpec, PolicySpec, PolicySpec> Take)> Fields { get; } =
    [
        ("requestHeaders", s => s.RequestHeaders, (to, from) => to with { RequestHeaders = from.RequestHeaders }),
        ("responseHeaders", s => s.ResponseHeaders, (to, from) => to with { ResponseHeaders = from.ResponseHeaders }),
        ("cors", s => s.Cors, (to, from) => to with { Cors = from.Cors }),
        ("ipAllowList/ipDenyList", s => s.IpAccess, (to, from) => to with { IpAccess = from.IpAccess }),
        ("rateLimit", s => s.RateLimit, (to, from) => to with { RateLimit = from.RateLimit }),
        ("rewrite", s => s.RewritePrefix, (to, from) => to with { RewritePrefix = from.RewritePrefix }),
        ("redirect", s => s.Redirect, (to, from) => to with { Redirect = from.Redirect }),
        ("timeouts", s => s.Timeouts, (to, from) => to with { Timeouts = from.Timeouts }),
        ("retries", s => s.Retries, (to, from) => to with { Retries = from.Retries }),
        ("basicAuth", s => s.BasicAuth, (to, from) => to with { BasicAuth = from.BasicAuth }),
        ("externalAuth", s => s.ExternalAuth, (to, from) => to with { ExternalAuth = from.ExternalAuth }),
        ("maxRequestBodySize", s => s.MaxRequestBodyBytes, (to, from) => to with { MaxRequestBodyBytes = from.MaxRequestBodyBytes }),
        ("sessionAffinity", s => s.SessionAffinity, (to, from) => to with { SessionAffinity = from.SessionAffinity }),
        ("loadBalancing", s => s.LoadBalancing, (to, from) => to with { LoadBalancing = from.LoadBalancing }),
        ("trafficSplit", s => s.TrafficSplit, (to, from) => to with { TrafficSplit = from.TrafficSplit }),
        ("httpsRedirect", s => s.HttpsRedirect, (to, from) => to with { HttpsRedirect = from.HttpsRedirect }),
    ];

    public static (PolicySpec Merged, IReadOnlyList<Conflict> Conflicts) Merge(IEnumerable<Candidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        // Plain loops: a build merges once per Ingress and host with policies (thousands at scale, issue 13).
        var ordered = candidates.ToList();
        ordered.Sort(static (a, b) =>
        {
            int byAge = (a.Created ?? DateTime.MaxValue).CompareTo(b.Created ?? DateTime.MaxValue);
            int byNamespace = byAge != 0 ? byAge : string.CompareOrdinal(a.Policy.Namespace, b.Policy.Namespace);
            return byNamespace != 0 ? byNamespace : string.CompareOrdinal(a.Policy.Name, b.Policy.Name);
        });
        var merged = new PolicySpec();
        var conflicts = new List<Conflict>();
        foreach (var (name, get, take) in Fields)
        {
            ObjectRef? winner = null;
            foreach (var candidate in ordered)
            {
                if (get(candidate.Spec) is null)
                {
                    continue;
                }

                if (winner is null)
                {
                    winner = candidate.Policy;
                    merged = take(merged, candidate.Spec);
                }
                else
                {
                    conflicts.Add(new Conflict(candidate.Policy, name, winner));
                }
            }
        }

        return (merged, conflicts);
    }
}
