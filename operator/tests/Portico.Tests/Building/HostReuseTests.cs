using Portico.Core.Building;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Building;

/// <summary>A rebuilt model keeps the previous objects of its unchanged hosts, and only those: its value never changes.</summary>
public sealed class HostReuseTests : BuilderTestBase
{
    [Test]
    public void Unchanged_hosts_keep_their_objects_and_changed_or_new_ones_are_the_new_build()
    {
        var before = Build([Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Ingress("b").WithPath("b.test", "/", "Prefix", "web", 80), .. Web()]);
        var after = Build([Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Ingress("b").WithPath("b.test", "/v2", "Prefix", "web", 80),
            Kube.Ingress("c").WithPath("c.test", "/", "Prefix", "web", 80), .. Web()]);

        var reused = after.Reusing(before);

        Assert.That(reused, Is.EqualTo(after), "the same value");
        Assert.That(HostOf(reused, "a.test"), Is.SameAs(HostOf(before, "a.test")), "unchanged: the previous object");
        Assert.That(HostOf(reused, "b.test"), Is.SameAs(HostOf(after, "b.test")).And.Not.EqualTo(HostOf(before, "b.test")), "changed: the new one");
        Assert.That(HostOf(reused, "c.test"), Is.SameAs(HostOf(after, "c.test")), "new: the new one");
        Assert.That(after.Reusing(null), Is.SameAs(after));
    }
}
