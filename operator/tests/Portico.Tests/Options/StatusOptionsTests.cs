using Portico.Core.Kubernetes;
using Portico.Options;

namespace Portico.Tests.Options;

public sealed class StatusOptionsTests
{
    private static readonly Dictionary<string, string?> NoOverrides = [];

    [Test]
    public void The_status_and_leaderElection_sections_resolve_into_typed_options()
    {
        string file = WriteConfig("""
            status:
              addresses: ["lb.example.com", "192.0.2.9", "2001:DB8::1", "192.0.2.9"]
              resyncPeriod: 2m
            leaderElection:
              leaseName: edge-leader
              leaseNamespace: edge
              leaseDuration: 30s
              renewDeadline: 20s
              retryPeriod: 500ms
            """);

        var resolved = OptionsResolver.Resolve(OptionsLoader.Load(file, NoOverrides, readEnvironment: false));

        Assert.Multiple(() =>
        {
            Assert.That(resolved.Status.Addresses.Select(a => a.ToString()), Is.EqualTo(new[] { "192.0.2.9", "2001:db8::1", "lb.example.com" }));
            Assert.That(resolved.Status.PublishService, Is.Null);
            Assert.That(resolved.Status.ResyncPeriod, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(resolved.Status.Enabled, Is.True);
            Assert.That(resolved.LeaderElection.Enabled, Is.True);
            Assert.That((resolved.LeaderElection.LeaseName, resolved.LeaderElection.LeaseNamespace), Is.EqualTo(("edge-leader", "edge")));
            Assert.That(
                (resolved.LeaderElection.LeaseDuration, resolved.LeaderElection.RenewDeadline, resolved.LeaderElection.RetryPeriod),
                Is.EqualTo((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(500))));
        });
    }

    [Test]
    public void By_default_status_is_off_and_the_Lease_lives_in_the_operators_namespace()
    {
        var resolved = OptionsResolver.Resolve(new PorticoOptions());

        Assert.Multiple(() =>
        {
            Assert.That(resolved.Status.Enabled, Is.False);
            Assert.That(resolved.LeaderElection.LeaseNamespace, Is.Null);
            Assert.That(resolved.LeaderElection.LeaseName, Is.EqualTo("portico-leader"));
        });
    }

    [Test]
    public void A_publish_Service_and_addresses_come_from_flags_and_the_environment_too()
    {
        var options = OptionsLoader.Load(null, new Dictionary<string, string?> { ["status:publishService"] = "portico/edge" }, readEnvironment: false);

        var resolved = OptionsResolver.Resolve(options);

        Assert.That(resolved.Status.PublishService, Is.EqualTo(new NamespacedName("portico", "edge")));
    }

    [Test]
    public void Every_bad_value_is_reported_by_its_key()
    {
        var options = new PorticoOptions();
        options.Status.PublishService = "no-slash";
        options.Status.Addresses.Add("192.0.2.1");
        options.Status.Addresses.Add("1.2.3.4\n");
        options.Status.Addresses.Add("0x7f.1");
        options.Status.ResyncPeriod = "soon";
        options.LeaderElection.LeaseName = "Bad Name";
        options.LeaderElection.LeaseNamespace = "bad_ns";
        options.LeaderElection.RetryPeriod = "2 seconds";

        var e = Assert.Throws<OptionsException>(() => OptionsResolver.Resolve(options))!;

        Assert.That(e.Message, Does.Contain("status:publishService:").And.Contain("status:addresses:1:").And.Contain("status:addresses:2:")
            .And.Not.Contain("status:addresses:0:").And.Contain("status:resyncPeriod:").And.Contain("leaderElection:leaseName:")
            .And.Contain("leaderElection:leaseNamespace:").And.Contain("leaderElection:retryPeriod:"));
    }

    [Test]
    public void A_publish_Service_and_static_addresses_together_are_an_error()
    {
        var options = new PorticoOptions();
        options.Status.PublishService = "portico/edge";
        options.Status.Addresses.Add("192.0.2.1");

        var e = Assert.Throws<OptionsException>(() => OptionsResolver.Resolve(options))!;

        Assert.That(e.Message, Does.Contain("not both"));
    }

    [TestCase("15s", "15s", "2s")]
    [TestCase("15s", "10s", "9s")]
    [TestCase("500ms", "200ms", "100ms")]
    public void Lease_timings_must_nest(string lease, string renew, string retry)
    {
        var options = new PorticoOptions();
        options.LeaderElection.LeaseDuration = lease;
        options.LeaderElection.RenewDeadline = renew;
        options.LeaderElection.RetryPeriod = retry;

        var e = Assert.Throws<OptionsException>(() => OptionsResolver.Resolve(options))!;

        Assert.That(e.Message, Does.Contain("leaderElection: needs"));
    }

    private static string WriteConfig(string text)
    {
        string file = Path.Combine(Path.GetTempPath(), $"portico-config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, text);
        return file;
    }
}
