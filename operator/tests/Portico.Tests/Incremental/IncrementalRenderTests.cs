using Portico.TestSupport;

namespace Portico.Tests.Incremental;

/// <summary>
/// A renderer keeps what it made of unchanged hosts (NginxServerMemo); after any sequence of changes its output must
/// be a fresh renderer's, byte for byte. Random sequences (fixed seeds, bounded steps) of every kind of change:
/// Ingresses added, deleted and rewritten (hosts from a small pool, so rules on one host from several Ingresses
/// conflict and resolve, paths of every type, TLS on and off, annotations that give or take a policy), Services
/// gaining and losing ports, slices coming and going, IngressPolicies attached and detached, the certificate
/// replaced, and now and then the proxy settings changed. With Lua endpoints (where the memo applies) and without.
/// The sequences and the comparison are IncrementalRenderCheck's; the longer run is the benchmark's
/// (`portico-bench incremental --seeds 100 --steps 1000`).
/// </summary>
public sealed class IncrementalRenderTests
{
    [TestCase(1, true)]
    [TestCase(2, true)]
    [TestCase(3, true)]
    [TestCase(4, false)]
    public void After_every_change_a_renderer_that_remembers_gives_a_fresh_renderer_s_bytes(int seed, bool lua)
    {
        var outcome = IncrementalRenderCheck.Run(seed, lua, steps: 200);

        Assert.That(outcome.Changed, Is.GreaterThan(100), "most steps changed what is rendered");
        Assert.That(outcome.Reused, Is.GreaterThan(outcome.Planned), "most Ingress plans were used again, so the memo was put to the test");
    }
}
