using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.TestSupport;

namespace Portico.Tests.Incremental;

/// <summary>
/// The endpoint-only rebuild must equal a full build, and its rendering a full rendering, byte for byte, after any
/// sequence of changes. Random sequences (fixed seeds, bounded steps) over a small world that has what endpoint
/// changes can reach: several Services and ports, a weighted split, an external-auth Service (its endpoints are in
/// nginx.conf), an ExternalName Service, slices that move between Services, go empty, hold not-ready, loopback or
/// malformed addresses, FQDN slices, and now and then a change of another kind.
/// </summary>
public sealed class EndpointOnlyRebuildTests
{
    private static readonly BuildOptions Options = new();
    private static readonly string[] Services = ["web", "api", "blue", "green", "auth"];

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    public void After_every_change_the_endpoint_only_rebuild_equals_a_full_build_and_rendering(int seed)
    {
        var random = new Random(seed);
        var store = new ObjectStore();
        foreach (var value in World())
        {
            store.Upsert(value);
        }

        var renderer = ProxyKind.Nginx.CreateRenderer();
        var reference = ProxyKind.Nginx.CreateRenderer();
        var settings = new ProxySettings();
        var snapshot = store.Snapshot();
        var model = ModelBuilder.Build(snapshot, Options);
        var config = renderer.Render(model, settings);
        SliceOwnership? slices = null;
        int rebuilt = 0, rendered = 0, sliceSteps = 0, carried = 0;
        for (int step = 0; step < 300; step++)
        {
            bool sliceOnly = random.NextDouble() < 0.85;
            sliceSteps += sliceOnly ? 1 : 0;
            if (sliceOnly)
            {
                ChangeSlice(store, random);
            }
            else
            {
                ChangeSomethingElse(store, random);
            }

            var next = store.Snapshot();
            var full = ModelBuilder.Build(next, Options);
            var fullConfig = reference.Render(full, settings);
            var change = EndpointOnlyRebuild.TryRebuild(model, snapshot, next, Options, slices);
            RenderedConfig nextConfig;
            if (change is { } c)
            {
                rebuilt++;
                carried += slices is null ? 0 : 1;
                Assert.That(c.Slices.SameAs(SliceOwnership.Of(next)), Is.True, $"seed {seed} step {step}: the slices' ownership carried through the journal equals one made from scratch");
                Assert.That(c.Model, Is.EqualTo(full), $"seed {seed} step {step}: the endpoint-only model equals the full build");
                Assert.That(c.ChangedUpstreams, Is.EquivalentTo(full.Upstreams.Where(u => !model.Upstreams.Contains(u)).Select(u => u.Name)), $"seed {seed} step {step}: changed upstreams");
                var fast = renderer.RenderEndpointChange(config, c.Model, c.ChangedUpstreams, settings);
                if (fast is not null)
                {
                    rendered++;
                    AssertSameBytes(fast, fullConfig, $"seed {seed} step {step}");
                }

                (model, nextConfig) = (c.Model, fast ?? renderer.Render(c.Model, settings));
            }
            else
            {
                (model, nextConfig) = (full, renderer.Render(full, settings));
            }

            // As the pipeline does after a full build: the ownership carried through the journal.
            slices = change?.Slices ?? slices?.CarriedTo(snapshot, next);
            Assert.That(slices is null || slices.SameAs(SliceOwnership.Of(next)), Is.True, $"seed {seed} step {step}: carried ownership");
            (snapshot, config) = (next, nextConfig);
        }

        TestContext.Out.WriteLine($"seed {seed}: {sliceSteps} slice-only steps, {rebuilt} endpoint-only rebuilds, {rendered} endpoint-only renderings");

        // Not vacuous: most slice changes take the fast path, and most of those render fast too.
        Assert.That(rebuilt, Is.GreaterThan(sliceSteps / 3), $"endpoint-only rebuilds {rebuilt} of {sliceSteps} slice-only steps");
        Assert.That(carried, Is.GreaterThan(rebuilt / 2), $"rebuilds from a carried ownership {carried} of {rebuilt}");
        Assert.That(rendered, Is.GreaterThan(rebuilt / 3), $"endpoint-only renderings {rendered} of {rebuilt}");
    }

    [Test]
    public void A_change_of_another_kind_or_an_upstream_going_empty_takes_the_full_build()
    {
        var store = new ObjectStore();
        foreach (var value in World())
        {
            store.Upsert(value);
        }

        var before = store.Snapshot();
        var model = ModelBuilder.Build(before, Options);

        store.Upsert(Kube.Slice("web", "http", 8080, ["10.0.0.9"], name: "web-a"));
        Assert.That(EndpointOnlyRebuild.TryRebuild(model, before, store.Snapshot(), Options), Is.Not.Null, "a moved endpoint");

        store.Upsert(Kube.Slice("web", "http", 8080, [], name: "web-a"));
        Assert.That(EndpointOnlyRebuild.TryRebuild(model, before, store.Snapshot(), Options), Is.Null, "web has no ready endpoint left: its routes answer 503");

        store.Upsert(Kube.Slice("web", "http", 8080, ["10.0.0.1"], name: "web-a"));
        store.Upsert(Kube.Ingress("site").WithPath("site.test", "/", "Prefix", "api", 80));
        Assert.That(EndpointOnlyRebuild.TryRebuild(model, before, store.Snapshot(), Options), Is.Null, "an Ingress changed");

        Assert.That(EndpointOnlyRebuild.TryRebuild(model, before, before, Options)?.Model, Is.SameAs(model), "nothing changed: the same model");
    }

    private static void AssertSameBytes(RenderedConfig actual, RenderedConfig expected, string context)
    {
        Assert.That(actual.Identity, Is.EqualTo(expected.Identity), context);
        Assert.That(actual.Files.Select(f => (f.Path, Convert.ToHexString(SHA256.HashData(f.Content)), f.IsPrivate)), Is.EqualTo(expected.Files.Select(f => (f.Path, Convert.ToHexString(SHA256.HashData(f.Content)), f.IsPrivate))), context);
        Assert.That(actual.Live.Select(f => Encoding.ASCII.GetString(f.Content)), Is.EqualTo(expected.Live.Select(f => Encoding.ASCII.GetString(f.Content))), context);
    }

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> World()
    {
        yield return Kube.IngressClass("portico");
        foreach (string name in Services)
        {
            yield return Kube.Service(name, "default", ("http", 80), ("admin", 9000));
            yield return Kube.Slice(name, "http", 8080, ["10.0.0.1"], name: name + "-a");
        }

        yield return Kube.ExternalNameService("outside", "example.org");
        yield return Kube.Ingress("site")
            .WithPath("site.test", "/", "Prefix", "web", 80)
            .WithNamedPortPath("site.test", "/admin", "Prefix", "web", "admin")
            .WithPath("site.test", "/api", "Prefix", "api", 80)
            .WithPath("site.test", "/out", "Prefix", "outside", 80);
        yield return Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "blue", 80);
        yield return Policy("split", "shop", spec => spec.TrafficSplit =
        [
            new TrafficSplitBackend { Service = new ServicePortRef { Name = "blue", Port = 80 }, Weight = 90 },
            new TrafficSplitBackend { Service = new ServicePortRef { Name = "green", Port = 80 }, Weight = 10 },
        ]);
        yield return Kube.Ingress("private").WithPath("private.test", "/", "Prefix", "api", 80);
        yield return Policy("check", "private", spec => spec.ExternalAuth = new ExternalAuthPolicy { Service = new ServicePortRef { Name = "auth", Port = 80 }, Path = "/check" });
    }

    private static IngressPolicy Policy(string name, string target, Action<IngressPolicySpec> configure)
    {
        var spec = new IngressPolicySpec { TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target } };
        configure(spec);
        return new IngressPolicy
        {
            ApiVersion = IngressPolicy.KubeGroup + "/" + IngressPolicy.KubeApiVersion,
            Kind = IngressPolicy.KubeKind,
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(name))[..16]).ToString(), CreationTimestamp = Kube.Epoch },
            Spec = spec,
        };
    }

    /// <summary>Adds, replaces or deletes one slice: random ready, not-ready, loopback or malformed addresses, a random owner, now and then FQDN or another port name.</summary>
    private static void ChangeSlice(ObjectStore store, Random random)
    {
        string owner = Services[random.Next(Services.Length)];
        string name = $"{Services[random.Next(Services.Length)]}-{(char)('a' + random.Next(3))}";
        if (random.NextDouble() < 0.1)
        {
            store.Delete(KnownKinds.EndpointSlice, new NamespacedName("default", name));
            return;
        }

        string[] pool = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.7", "fd00::5", "127.0.0.1", "10.0.0.256"];
        var addresses = Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.NextDouble() < 0.9 ? pool[random.Next(4)] : pool[random.Next(pool.Length)]).Distinct().ToArray();
        var notReady = random.NextDouble() < 0.2 ? new[] { "10.0.0.9" } : null;
        string? portName = random.NextDouble() < 0.9 ? (random.NextDouble() < 0.8 ? "http" : "admin") : "other";
        string addressType = addresses.Any(a => a.Contains(':', StringComparison.Ordinal)) ? "IPv6" : random.NextDouble() < 0.03 ? "FQDN" : "IPv4";
        if (addressType == "IPv6")
        {
            addresses = [.. addresses.Where(a => a.Contains(':', StringComparison.Ordinal))];
        }

        store.Upsert(Kube.Slice(owner, portName, 8080 + random.Next(2), addresses, name: name, notReady: notReady, addressType: addressType));
    }

    /// <summary>A change of another kind: an Ingress path moves, a Service loses or regains a port, the split's weights change.</summary>
    private static void ChangeSomethingElse(ObjectStore store, Random random)
    {
        switch (random.Next(3))
        {
            case 0:
                store.Upsert(Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", Services[random.Next(4)], 80));
                break;
            case 1:
                string service = Services[random.Next(Services.Length)];
                store.Upsert(random.NextDouble() < 0.5 ? Kube.Service(service, "default", ("http", 80)) : Kube.Service(service, "default", ("http", 80), ("admin", 9000)));
                break;
            default:
                int weight = random.Next(1, 100);
                store.Upsert(Policy("split", "shop", spec => spec.TrafficSplit =
                [
                    new TrafficSplitBackend { Service = new ServicePortRef { Name = "blue", Port = 80 }, Weight = weight },
                    new TrafficSplitBackend { Service = new ServicePortRef { Name = "green", Port = 80 }, Weight = 100 - weight },
                ]));
                break;
        }
    }
}
