using k8s;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;
using Portico.Tests.Building;
using Portico.TestSupport;

namespace Portico.Tests.Policies;

/// <summary>
/// IngressPolicies in the build: parsed, merged, reported in status; a policy whose fields are not enforced yet is
/// not applied and says so, and one carrying access control that is refused or not enforced makes its target answer
/// 403 (fail closed), never serve openly.
/// </summary>
public sealed class IngressPolicyBindingTests : BuilderTestBase
{
    private static IngressPolicy Policy(string name, string spec, int ageRank = 0, string ns = "default", string? uid = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Generation = 3,
            Uid = uid,
            CreationTimestamp = Kube.Epoch.AddMinutes(-ageRank),
        },
        Spec = KubernetesJson.Deserialize<IngressPolicySpec>(J(spec)),
    };

    private const string TargetWeb = "'targetRef':{'group':'networking.k8s.io','kind':'Ingress','name':'web'}";

    /// <summary>JSON written with single quotes, for readable test data.</summary>
    private static string J(string text) => text.Replace('\'', '"');

    private static IKubernetesObject<V1ObjectMeta>[] Cluster(params IngressPolicy[] policies) =>
    [
        Kube.Ingress("web").WithPath("a.test", "/", "Prefix", "web", 80).WithPath("b.test", "/", "Prefix", "web", 80),
        Kube.Ingress("other").WithPath("c.test", "/", "Prefix", "web", 80),
        .. Web(),
        .. policies,
    ];

    private static ObjectStatus StatusOf(ProxyModel model, string policy) =>
        model.Statuses.Single(s => s.Target == new ObjectRef("IngressPolicy", "default", policy));

    private static string Condition(ObjectStatus status, string type) =>
        status.Conditions.Single(c => c.Type == type) is var c ? $"{c.Status} {c.Reason}" : string.Empty;

    [Test]
    public void A_policy_with_nothing_to_enforce_is_accepted_and_resolved()
    {
        var model = Build(Cluster(Policy("p", "{" + TargetWeb + "}")));
        var status = StatusOf(model, "p");
        Assert.That((Condition(status, "Accepted"), Condition(status, "ResolvedRefs"), Condition(status, "Conflicted")), Is.EqualTo(("True Accepted", "True ResolvedRefs", "False NoConflicts")));
        Assert.That(status.Conditions.Select(c => c.ObservedGeneration), Has.All.EqualTo(3));
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> default_web_80" }));
    }

    [Test]
    public void A_policy_with_endpoint_choice_fields_is_accepted_and_applied()
    {
        var model = Build(Cluster(Policy("p", "{" + TargetWeb + ",'rateLimit':{'requestsPerSecond':5},'sessionAffinity':{'cookie':{'name':'s'}},'loadBalancing':{'algorithm':'LeastRequest'}}")));
        Assert.That(Condition(StatusOf(model, "p"), "Accepted"), Is.EqualTo("True Accepted"));
        var policy = model.VirtualHosts.Single(v => v.Host.Value == "a.test").Routes.Single().Policy;
        Assert.That((policy.SessionAffinity?.CookieName, policy.LoadBalancing?.Algorithm, policy.RateLimit?.RequestsPerSecond), Is.EqualTo(("s", (Core.Model.Policies.LoadBalancingAlgorithm?)Core.Model.Policies.LoadBalancingAlgorithm.LeastRequest, (int?)5)));
    }

    [TestCase("{'ipAllowList':['010.0.0.1']}", Description = "refused value")]
    [TestCase("{'basicAuth':{'secretRef':{'name':'htpasswd'},'realm':'no$'}}", Description = "refused realm")]
    [TestCase("{'externalAuth':{'url':'http://auth.example/$x'}}")]
    [TestCase("{'ipDenyList':['10.0.0.0/8'],'cors':{'allowMethods':['get']}}", Description = "refused for another field")]
    public void Access_control_that_cannot_be_enforced_denies_the_target_and_nothing_else(string fields)
    {
        var model = Build(Cluster(Policy("p", "{" + TargetWeb + "," + fields[1..])));
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> status 403" }));
        Assert.That(RoutesOf(model, "b.test"), Is.EqualTo(new[] { "Prefix / -> status 403" }));
        Assert.That(RoutesOf(model, "c.test"), Is.EqualTo(new[] { "Prefix / -> default_web_80" }), "another Ingress is served as before");
        Assert.That(Condition(StatusOf(model, "p"), "Accepted"), Is.EqualTo("False Invalid"));
        Assert.That(model.Diagnostics.Any(d => d.Target == new ObjectRef("Ingress", "default", "web") && d.Message.Contains("answers 403", StringComparison.Ordinal)), Is.True, "the Ingress says why");
    }

    [Test]
    public void A_section_name_narrows_the_denial_to_one_host()
    {
        var model = Build(Cluster(Policy("p", "{'targetRef':{'group':'networking.k8s.io','kind':'Ingress','name':'web','sectionName':'b.test'},'ipAllowList':['010.0.0.1']}")));
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> default_web_80" }));
        Assert.That(RoutesOf(model, "b.test"), Is.EqualTo(new[] { "Prefix / -> status 403" }));
    }

    [Test]
    public void A_policy_for_an_Ingress_that_is_not_served_does_not_resolve()
    {
        var model = Build(Cluster(Policy("p", "{'targetRef':{'group':'networking.k8s.io','kind':'Ingress','name':'missing'}}")));
        Assert.That(Condition(StatusOf(model, "p"), "ResolvedRefs"), Is.EqualTo("False TargetNotFound"));
    }

    [Test]
    public void A_forged_uid_is_refused_and_fails_closed()
    {
        var model = Build(Cluster(Policy("p", "{" + TargetWeb + ",'ipAllowList':['10.0.0.0/8']}", uid: "not-a-uuid")));
        Assert.That(model.Diagnostics.Select(d => d.Field), Does.Contain("metadata.uid"));
        Assert.That(RoutesOf(model, "a.test"), Is.EqualTo(new[] { "Prefix / -> status 403" }));
        var genuine = Build(Cluster(Policy("p", "{" + TargetWeb + "}", uid: "8f0c8f9e-3d7a-4d8e-9b1a-2c3d4e5f6a7b")));
        Assert.That(Condition(StatusOf(genuine, "p"), "Accepted"), Is.EqualTo("True Accepted"));
    }

    [Test]
    public void Two_policies_setting_the_same_field_conflict_and_the_older_wins()
    {
        var model = Build(Cluster(
            Policy("old", "{" + TargetWeb + ",'httpsRedirect':true}", ageRank: 5),
            Policy("young", "{" + TargetWeb + ",'httpsRedirect':false}", ageRank: 1)));
        Assert.That(Condition(StatusOf(model, "young"), "Conflicted"), Is.EqualTo("True Conflicted"));
        Assert.That(StatusOf(model, "young").Conditions.Single(c => c.Type == "Conflicted").Message, Does.Contain("httpsRedirect is set by IngressPolicy default/old"));
        Assert.That(Condition(StatusOf(model, "old"), "Conflicted"), Is.EqualTo("False NoConflicts"));
    }
}
