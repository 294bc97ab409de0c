using k8s.Models;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Model;
using Portico.TestSupport;

namespace Portico.Tests.Building;

public sealed class DesiredStatusTests : BuilderTestBase
{
    private static readonly StatusResource Widgets = new("test.portico.dev", "v1", "testwidgets");

    [Test]
    public void Served_Ingresses_publish_rejected_ones_of_our_class_withdraw_and_others_get_no_status()
    {
        var model = Build(
        [
            Generation(Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "web", 80), 3),
            Kube.Ingress("legacy", className: null).WithAnnotation("kubernetes.io/ingress.class", "portico").WithPath("legacy.test", "/", "Prefix", "web", 80),
            Generation(Kube.Ingress("rejected", ns: "Not_A_Label"), 7),
            Kube.Ingress("rejected-legacy", ns: "Not_A_Label", className: null).WithAnnotation("kubernetes.io/ingress.class", "portico"),
            Kube.Ingress("foreign", className: "nginx").WithPath("foreign.test", "/", "Prefix", "web", 80),
            Kube.Ingress("foreign-rejected", ns: "Not_A_Label", className: "nginx"),
            Kube.Ingress("unnamed", className: null).WithPath("unnamed.test", "/", "Prefix", "web", 80),
            .. Web(),
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(
                model.Statuses.Select(s => (s.Target.ToString(), s.Addresses, s.Generation)),
                Is.EqualTo(new[]
                {
                    ("Ingress Not_A_Label/rejected", AddressPublication.Withdraw, (long?)7),
                    ("Ingress Not_A_Label/rejected-legacy", AddressPublication.Withdraw, null),
                    ("Ingress default/legacy", AddressPublication.Publish, null),
                    ("Ingress default/shop", AddressPublication.Publish, (long?)3),
                }),
                "sorted by object; another class's Ingress, served or not, and one without class get nothing");
            Assert.That(model.Statuses.Select(s => s.Resource).Distinct(), Is.EqualTo(new[] { StatusResources.Ingresses }));
            Assert.That(model.Statuses.SelectMany(s => s.Conditions), Is.Empty, "Ingress v1 status has no conditions");
        });
    }

    [Test]
    public void Nothing_of_our_class_gets_a_status_while_the_class_name_belongs_to_another_controller()
    {
        var model = Build(
        [
            Kube.IngressClass("portico", controller: "example.com/other"),
            Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "web", 80),
            Kube.Ingress("rejected", ns: "Not_A_Label"),
            .. Web(),
        ]);

        Assert.That(model.Statuses, Is.Empty);
    }

    [Test]
    public void A_default_class_Ingress_without_class_name_is_published_when_served_but_never_withdrawn()
    {
        var model = Build(
        [
            Kube.IngressClass("portico", isDefault: true),
            Kube.Ingress("unnamed", className: null).WithPath("unnamed.test", "/", "Prefix", "web", 80),
            Kube.Ingress("unnamed-rejected", ns: "Not_A_Label", className: null),
            .. Web(),
        ]);

        Assert.That(model.Statuses.Select(s => (s.Target.Name, s.Addresses)), Is.EqualTo(new[] { ("unnamed", AddressPublication.Publish) }));
    }

    [Test]
    public void A_subject_with_errors_is_not_accepted_and_every_condition_carries_the_generation_it_was_computed_from()
    {
        var policy = new ObjectRef("TestWidget", "default", "limits");
        var resolved = new StatusCondition("ResolvedRefs", ConditionStatus.False, "BackendNotFound", "service \"auth\" does not exist", null);
        Diagnostic[] diagnostics =
        [
            new(Severity.Error, policy, "spec.rateLimit.burst", "must be at least 1"),
            new(Severity.Warning, policy, "spec.cors", "is empty"),
            new(Severity.Error, policy, "spec.timeouts.connect", "\"5 parsecs\" is not a duration"),
            new(Severity.Error, new ObjectRef("TestWidget", "default", "other"), "spec", "not this one"),
        ];

        var statuses = DesiredStatusBuilder.Build(ClusterSnapshot.Empty, new BuildOptions(), [], diagnostics, [new StatusSubject(policy, Widgets, 4, [resolved])]);

        var status = statuses.Single();
        Assert.Multiple(() =>
        {
            Assert.That((status.Target, status.Resource, status.Generation, status.Addresses), Is.EqualTo((policy, Widgets, (long?)4, AddressPublication.None)));
            Assert.That(status.Conditions, Is.EqualTo(new[]
            {
                new StatusCondition("Accepted", ConditionStatus.False, "Invalid", "spec.rateLimit.burst: must be at least 1; spec.timeouts.connect: \"5 parsecs\" is not a duration", 4),
                resolved with { ObservedGeneration = 4 },
            }), "sorted by type; the errors of this object only, in field order; warnings do not count against it");
        });
    }

    [Test]
    public void A_subject_without_errors_is_accepted_and_warnings_are_named()
    {
        var clean = new ObjectRef("TestWidget", "default", "clean");
        var warned = new ObjectRef("TestWidget", "default", "warned");
        var ownAccepted = new ObjectRef("TestWidget", "default", "own");
        var own = new StatusCondition("Accepted", ConditionStatus.False, "TargetNotFound", "no Ingress \"shop\"", null);

        var statuses = DesiredStatusBuilder.Build(
            ClusterSnapshot.Empty,
            new BuildOptions(),
            [],
            [new Diagnostic(Severity.Warning, warned, "spec.cors", "is empty")],
            [new StatusSubject(warned, Widgets, 2, []), new StatusSubject(clean, Widgets, 1, []), new StatusSubject(ownAccepted, Widgets, 9, [own])]);

        Assert.That(statuses.Select(s => (s.Target.Name, s.Conditions.Single())), Is.EqualTo(new[]
        {
            ("clean", new StatusCondition("Accepted", ConditionStatus.True, "Accepted", "Accepted", 1)),
            ("own", own with { ObservedGeneration = 9 }),
            ("warned", new StatusCondition("Accepted", ConditionStatus.True, "Accepted", "Accepted with warnings: spec.cors: is empty", 2)),
        }));
    }

    [Test]
    public void A_condition_message_is_bounded_as_metav1_Condition_requires()
    {
        var widget = new ObjectRef("TestWidget", "default", "huge");
        var diagnostics = Enumerable.Range(0, 400).Select(i => new Diagnostic(Severity.Error, widget, $"spec.items[{i:D3}]", new string('x', 100)));

        var accepted = DesiredStatusBuilder.Build(ClusterSnapshot.Empty, new BuildOptions(), [], [.. diagnostics], [new StatusSubject(widget, Widgets, 1, [])])
            .Single().Conditions.Single();

        Assert.That((accepted.Message.Length, accepted.Message[..20], accepted.Message[^3..]), Is.EqualTo((DesiredStatusBuilder.MaxMessageLength, "spec.items[000]: xxx", "...")));
    }

    [Test]
    public void Desired_statuses_are_deterministic_and_compare_by_value()
    {
        k8s.IKubernetesObject<V1ObjectMeta>[] objects =
        [
            Kube.Ingress("b").WithPath("b.test", "/", "Prefix", "web", 80),
            Kube.Ingress("a").WithPath("a.test", "/", "Prefix", "web", 80),
            Kube.Ingress("rejected", ns: "Not_A_Label"),
            .. Web(),
        ];
        var first = Build([.. objects]).Statuses;
        var second = Build([.. objects.Reverse()]).Statuses;
        var widget = new ObjectRef("TestWidget", "default", "w");
        Diagnostic[] none = [];

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(
                DesiredStatusBuilder.Build(ClusterSnapshot.Empty, new BuildOptions(), [], none, [new StatusSubject(widget, Widgets, 1, [])]).Single(),
                Is.EqualTo(DesiredStatusBuilder.Build(ClusterSnapshot.Empty, new BuildOptions(), [], none, [new StatusSubject(widget, Widgets, 1, [])]).Single()),
                "conditions compare by value, not by array reference");
            Assert.That(
                DesiredStatusBuilder.Build(ClusterSnapshot.Empty, new BuildOptions(), [], none, [new StatusSubject(widget, Widgets, 2, [])]).Single(),
                Is.Not.EqualTo(DesiredStatusBuilder.Build(ClusterSnapshot.Empty, new BuildOptions(), [], none, [new StatusSubject(widget, Widgets, 1, [])]).Single()));
        });
    }

    private static V1Ingress Generation(V1Ingress ingress, long generation)
    {
        ingress.Metadata.Generation = generation;
        return ingress;
    }
}
