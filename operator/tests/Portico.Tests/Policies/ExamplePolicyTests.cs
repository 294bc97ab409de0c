using Portico.Core.Building;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Manifests;
using Portico.Core.Model;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.TestSupport;

namespace Portico.Tests.Policies;

/// <summary>Every IngressPolicy in manifests/examples parses, is accepted with nothing refused, and reaches the routes of its target.</summary>
public sealed class ExamplePolicyTests
{
    private static readonly OfflineResult Examples = OfflinePipeline.Render(
        [RepositoryPaths.Combine("manifests", "examples")], new BuildOptions(), new ProxySettings(), ProxyKind.Nginx.CreateRenderer());

    public static IEnumerable<string> PolicyNames =>
        ManifestReader.Read([RepositoryPaths.Combine("manifests", "examples")]).Objects
            .Where(o => o.Value is IngressPolicy)
            .Select(o => $"{o.Value.Metadata.NamespaceProperty}/{o.Value.Metadata.Name}");

    [Test]
    public void The_examples_hold_policies() => Assert.That(PolicyNames.Count(), Is.GreaterThanOrEqualTo(2));

    [TestCaseSource(nameof(PolicyNames))]
    public void An_example_policy_is_accepted_without_any_diagnostic(string name)
    {
        var self = new ObjectRef(IngressPolicy.KubeKind, name.Split('/')[0], name.Split('/')[1]);
        Assert.That(Examples.Diagnostics.Where(d => d.Target == self), Is.Empty);
        var status = Examples.Model.Statuses.Single(s => s.Target == self);
        Assert.That(status.Conditions.Select(c => (c.Type, c.Status)), Is.SupersetOf(new[]
        {
            ("Accepted", ConditionStatus.True), ("ResolvedRefs", ConditionStatus.True), ("Conflicted", ConditionStatus.False),
        }));
    }

    [Test]
    public void The_targets_routes_carry_their_policies_and_no_access_control_is_lost()
    {
        var shop = Examples.Model.VirtualHosts.Single(v => v.Host.Value == "shop.example.com");
        Assert.That(shop.Routes.Where(r => r.Source?.Namespace == "shop").Select(r => r.Policy.RateLimit), Has.All.Not.Null);
        var blog = Examples.Model.VirtualHosts.Single(v => v.Host.Value == "*.blog.example.com");
        Assert.That(blog.Routes.Select(r => (r.Policy.IpAccess is not null, r.Policy.BasicAuth is not null)), Has.All.EqualTo((true, true)), "office network and basic auth");

        // The blog's rules on shop.example.com are outside the policy's sectionName.
        Assert.That(shop.Routes.Where(r => r.Source?.Namespace == "blog").Select(r => r.Policy.IsEmpty), Has.All.True);
    }
}
