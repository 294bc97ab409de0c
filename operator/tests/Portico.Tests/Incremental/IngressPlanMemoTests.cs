using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Incremental;

/// <summary>
/// The build's memo of Ingress plans (ADR 0020) in the cases a random sequence may not reach: each change below must
/// give the model a build from nothing gives, and plan again exactly the Ingresses it concerns.
/// </summary>
public sealed class IngressPlanMemoTests
{
    private static readonly BuildOptions Options = new();

    [Test]
    public void An_Ingress_written_without_namespace_gets_a_policy_added_later()
    {
        var bare = Kube.Ingress("bare").WithPath("bare.test", "/", "Prefix", "web", 80);
        bare.Metadata.NamespaceProperty = null;
        var store = Store(bare, Kube.Ingress("other").WithPath("other.test", "/", "Prefix", "web", 80));
        var (_, memo) = ModelBuilder.Build(store.Snapshot(), Options, null);

        store.Upsert(Policy("headers", "bare"));
        var (model, next) = ModelBuilder.Build(store.Snapshot(), Options, memo);

        Assert.That(model, Is.EqualTo(ModelBuilder.Build(store.Snapshot(), Options)));
        Assert.That(Route(model, "bare.test").Policy.ResponseHeaders, Is.Not.Null, "the policy applies to the Ingress of namespace default");
        Assert.That((next.Planned, next.Reused), Is.EqualTo((1, 1)));
    }

    [Test]
    public void A_Service_that_loses_the_port_its_routes_use_plans_them_again()
    {
        var store = Store(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Ingress("b").WithPath("b.test", "/", "Prefix", "api", 80));
        var (_, memo) = ModelBuilder.Build(store.Snapshot(), Options, null);

        store.Upsert(Kube.Service("web", "default", ("http", 8080)));
        var (model, next) = ModelBuilder.Build(store.Snapshot(), Options, memo);

        Assert.That(model, Is.EqualTo(ModelBuilder.Build(store.Snapshot(), Options)));
        Assert.That(Route(model, "a.test").Action, Is.EqualTo(new RespondAction(503, "Service default/web has no port 80")));
        Assert.That((next.Planned, next.Reused), Is.EqualTo((1, 1)));
    }

    [Test]
    public void A_Service_whose_endpoints_go_away_plans_its_Ingresses_again_and_other_endpoints_do_not()
    {
        var store = Store(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80), Kube.Ingress("b").WithPath("b.test", "/", "Prefix", "api", 80));
        var (_, memo) = ModelBuilder.Build(store.Snapshot(), Options, null);

        store.Upsert(Kube.Slice("web", "http", 8080, [], name: "web-a"));
        store.Upsert(Kube.Slice("api", "http", 8080, ["10.0.0.9"], name: "api-a"));
        var (model, next) = ModelBuilder.Build(store.Snapshot(), Options, memo);

        Assert.That(model, Is.EqualTo(ModelBuilder.Build(store.Snapshot(), Options)));
        Assert.That(Route(model, "a.test").Action, Is.TypeOf<RespondAction>(), "no ready endpoints: 503");
        Assert.That((next.Planned, next.Reused), Is.EqualTo((1, 1)), "b's upstream changed endpoints but still has some");
    }

    [Test]
    public void Other_options_plan_every_Ingress_again()
    {
        var store = Store(Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80));
        var (_, memo) = ModelBuilder.Build(store.Snapshot(), Options, null);
        var other = Options with { EnableExternalNameServices = !Options.EnableExternalNameServices };

        var (model, next) = ModelBuilder.Build(store.Snapshot(), other, memo);

        Assert.That(model, Is.EqualTo(ModelBuilder.Build(store.Snapshot(), other)));
        Assert.That((next.Planned, next.Reused), Is.EqualTo((1, 0)));
    }

    private static ObjectStore Store(params V1Ingress[] ingresses)
    {
        var store = new ObjectStore();
        store.Upsert(Kube.IngressClass("portico"));
        store.Upsert(Kube.Service("web", "default", ("http", 80)));
        store.Upsert(Kube.Service("api", "default", ("http", 80)));

        store.Upsert(Kube.Slice("web", "http", 8080, ["10.0.0.1"], name: "web-a"));
        store.Upsert(Kube.Slice("api", "http", 8080, ["10.0.0.2"], name: "api-a"));
        foreach (var ingress in ingresses)
        {
            store.Upsert(ingress);
        }

        return store;
    }

    private static Route Route(ProxyModel model, string host) => model.VirtualHosts.Single(v => v.Host.Value == host).Routes.Single();

    private static IngressPolicy Policy(string name, string target) => new()
    {
        ApiVersion = IngressPolicy.KubeGroup + "/" + IngressPolicy.KubeApiVersion,
        Kind = IngressPolicy.KubeKind,
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(name))[..16]).ToString(), CreationTimestamp = Kube.Epoch },
        Spec = new IngressPolicySpec
        {
            TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target },
            ResponseHeaders = new HeaderModifier { Set = [new HeaderValue { Name = "X-Served-By", Value = "portico" }] },
        },
    };
}
