using System.Reflection;
using Portico.Core.Building.Policies;
using Portico.Core.Model;
using Portico.Core.Model.Policies;

namespace Portico.Tests.Policies;

/// <summary>Several policies on one target merge field by field; on a shared field the oldest wins and the others conflict.</summary>
public sealed class PolicyMergerTests
{
    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static PolicyMerger.Candidate Policy(string name, int ageRank, PolicySpec spec) =>
        new(new ObjectRef("IngressPolicy", "shop", name), Epoch.AddMinutes(-ageRank), spec);

    [Test]
    public void Different_fields_of_several_policies_all_apply()
    {
        var (merged, conflicts) = PolicyMerger.Merge(
        [
            Policy("limits", 1, new PolicySpec { RateLimit = new RateLimitRule(10, 5) }),
            Policy("headers", 2, new PolicySpec { HttpsRedirect = true, MaxRequestBodyBytes = 1024 }),
        ]);
        Assert.That(merged, Is.EqualTo(new PolicySpec { RateLimit = new RateLimitRule(10, 5), HttpsRedirect = true, MaxRequestBodyBytes = 1024 }));
        Assert.That(conflicts, Is.Empty);
    }

    [Test]
    public void On_a_shared_field_the_oldest_wins_and_the_younger_is_reported()
    {
        var (merged, conflicts) = PolicyMerger.Merge(
        [
            Policy("young", 1, new PolicySpec { RateLimit = new RateLimitRule(100, 0), HttpsRedirect = false }),
            Policy("old", 9, new PolicySpec { RateLimit = new RateLimitRule(10, 0) }),
        ]);
        Assert.That(merged.RateLimit, Is.EqualTo(new RateLimitRule(10, 0)));
        Assert.That(merged.HttpsRedirect, Is.False, "the younger one's other field still applies");
        Assert.That(conflicts, Is.EqualTo(new[] { new PolicyMerger.Conflict(new ObjectRef("IngressPolicy", "shop", "young"), "rateLimit", new ObjectRef("IngressPolicy", "shop", "old")) }));
    }

    [Test]
    public void Equal_ages_are_decided_by_name_and_the_order_given_does_not_matter()
    {
        var a = Policy("a", 0, new PolicySpec { MaxRequestBodyBytes = 1 });
        var b = Policy("b", 0, new PolicySpec { MaxRequestBodyBytes = 2 });
        Assert.That(PolicyMerger.Merge([a, b]).Merged.MaxRequestBodyBytes, Is.EqualTo(1));
        Assert.That(PolicyMerger.Merge([b, a]).Merged.MaxRequestBodyBytes, Is.EqualTo(1));
    }

    [Test]
    public void Every_field_of_the_policy_model_takes_part_in_the_merge()
    {
        var fields = typeof(PolicySpec).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        Assert.That(PolicyMerger.Fields, Has.Count.EqualTo(fields.Count), "a new PolicySpec field needs its merge entry");

        // Each entry reads and takes its own field: a spec with only that field set merges to exactly itself.
        foreach (var field in fields)
        {
            var spec = new PolicySpec();
            object value = Sample(field.PropertyType);
            field.SetValue(spec, value);
            var (merged, _) = PolicyMerger.Merge([Policy("p", 0, spec)]);
            Assert.That(merged, Is.EqualTo(spec), field.Name);
        }
    }

    private static object Sample(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(bool) => true,
        var t when t == typeof(long) => 7L,
        var t when t == typeof(string) => "/x",
        var t when t == typeof(EquatableArray<WeightedBackend>) => (EquatableArray<WeightedBackend>)[new WeightedBackend(new ServicePort("a", 80), 1)],
        var t when t == typeof(HeaderMutation) => new HeaderMutation([], [], ["x"]),
        var t when t == typeof(CorsRule) => new CorsRule(["*"], [], [], [], false, null),
        var t when t == typeof(IpAccessRule) => new IpAccessRule([], []),
        var t when t == typeof(RateLimitRule) => new RateLimitRule(1, 0),
        var t when t == typeof(RedirectRule) => new RedirectRule("https", null, null, null, 301),
        var t when t == typeof(TimeoutRule) => new TimeoutRule(TimeSpan.FromSeconds(1), null, null),
        var t when t == typeof(RetryRule) => new RetryRule(1, null, []),
        var t when t == typeof(BasicAuthRule) => new BasicAuthRule("s", "r"),
        var t when t == typeof(ExternalAuthRule) => new ExternalAuthRule(new Uri("http://a.example/"), null, "/", [], [], null),
        var t when t == typeof(AffinityRule) => new AffinityRule("c", null),
        var t when t == typeof(LoadBalancingRule) => new LoadBalancingRule(LoadBalancingAlgorithm.LeastRequest, null),
        var t => throw new AssertionException($"no sample for {t}"),
    };
}
