using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Nginx.Tests;

/// <summary>
/// Many Ingresses on one host (DESIGN.md §3): their rules merge; a second claim of the same host+path+pathType
/// loses to the oldest Ingress (with a diagnostic), while the same path with another pathType is no conflict.
/// </summary>
[TestFixture]
public sealed class MergingTests
{
    private const string Host = "merge.test";
    private static readonly string[] Services = ["a-old", "shared-old", "b-young", "shared-young", "shared-exact-young"];

    private NginxScenario _scenario = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _scenario = await NginxScenario.StartAsync(Services, backends =>
        [
            // The younger Ingress comes first in the manifest: age decides, not order.
            Kube.Ingress("young", ageRank: 2)
                .WithPath(Host, "/b", "Prefix", "b-young", 80)
                .WithPath(Host, "/shared", "Prefix", "shared-young", 80)
                .WithPath(Host, "/shared", "Exact", "shared-exact-young", 80),
            Kube.Ingress("old", ageRank: 1)
                .WithPath(Host, "/a", "Prefix", "a-old", 80)
                .WithPath(Host, "/shared", "Prefix", "shared-old", 80),
            .. Services.SelectMany(s => NginxScenario.Service(s, [backends[s]])),
        ]);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [TestCase("/a", "a-old")]
    [TestCase("/b/x", "b-young")]
    [TestCase("/shared/x", "shared-old")]
    [TestCase("/shared/", "shared-old")]
    [TestCase("/shared", "shared-exact-young")]
    public async Task Rules_of_all_Ingresses_on_a_host_merge_and_the_oldest_wins_a_conflict(string path, string expected) =>
        PathMatchingTests.AssertServedBy(await _scenario.GetAsync(Host, path), expected);

    [Test]
    public void The_losing_claim_is_an_error_on_the_younger_Ingress()
    {
        var diagnostic = _scenario.Result.Diagnostics.Single();
        Assert.That(
            (diagnostic.Severity, diagnostic.Target, diagnostic.Field),
            Is.EqualTo((Severity.Error, new ObjectRef("Ingress", "default", "young"), "spec.rules[0].http.paths[1]")));
        Assert.That(diagnostic.Message, Does.Contain("Ingress default/old"));
    }
}
