using k8s.Models;
using Portico.Core.Model;
using Portico.Status;
using Portico.TestApiServer;
using Portico.TestApiServer.Resources;
using Portico.TestSupport;

namespace Portico.Tests.Status;

public sealed class DiagnosticEventRecorderTests : StatusTestBase
{
    private static readonly Diagnostic HostRejected = new(Severity.Error, new ObjectRef("Ingress", "default", "shop"), "spec.rules[0].host", "\"evil;\" is not a valid host name; the rule is not served");
    private static readonly Diagnostic ClassTaken = new(Severity.Warning, ObjectRef.ClusterScoped("IngressClass", "portico"), "spec.controller", "is \"example.com/other\"");

    [Test]
    public async Task Each_diagnostic_becomes_a_Warning_Event_on_the_object_it_names()
    {
        var shop = Server.Upsert(Kube.Ingress("shop"));
        var ingressClass = Server.Upsert(Kube.IngressClass("portico"));
        var recorder = await StartRecorderAsync();

        await HandleAsync(recorder, recorder.Idle, Model([], HostRejected, ClassTaken));

        var events = Server.List<Corev1Event>();
        var onShop = events.Single(e => e.InvolvedObject.Kind == "Ingress");
        var onClass = events.Single(e => e.InvolvedObject.Kind == "IngressClass");
        var now = Time.GetUtcNow().UtcDateTime;
        Assert.Multiple(() =>
        {
            Assert.That(events, Has.Count.EqualTo(2));
            Assert.That((onShop.Metadata.NamespaceProperty, onShop.InvolvedObject.NamespaceProperty, onShop.InvolvedObject.Name), Is.EqualTo(("default", "default", "shop")));
            Assert.That(onShop.InvolvedObject.Uid, Is.EqualTo(shop.Metadata.Uid), "kubectl describe selects Events by uid");
            Assert.That(onShop.InvolvedObject.ApiVersion, Is.EqualTo("networking.k8s.io/v1"));
            Assert.That((onShop.Type, onShop.Reason), Is.EqualTo(("Warning", "Rejected")));
            Assert.That(onShop.Message, Is.EqualTo("spec.rules[0].host: \"evil;\" is not a valid host name; the rule is not served"));
            Assert.That((onShop.Source.Component, onShop.ReportingComponent, onShop.ReportingInstance), Is.EqualTo(("portico", "portico", "replica-a")));
            Assert.That((onShop.Count, onShop.FirstTimestamp, onShop.LastTimestamp), Is.EqualTo(((int?)1, (DateTime?)now, (DateTime?)now)));
            Assert.That(onShop.Metadata.Name, Does.StartWith("shop."));
            Assert.That(onClass.Metadata.NamespaceProperty, Is.EqualTo("default"), "Events on cluster-scoped objects live in default");
            Assert.That((onClass.InvolvedObject.NamespaceProperty, onClass.InvolvedObject.Uid), Is.EqualTo(((string?)null, ingressClass.Metadata.Uid)));
            Assert.That(onClass.Reason, Is.EqualTo("Warning"));
            Assert.That(Metrics.Events.WithLabels("created").Value, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_diagnostic_seen_again_is_not_recorded_again_but_bumped_once_per_refresh_interval()
    {
        var options = new EventRecorderOptions { ReportingInstance = "replica-a" };
        var recorder = await StartRecorderAsync(options);
        await HandleAsync(recorder, recorder.Idle, Model([], HostRejected));

        for (int i = 0; i < 5; i++)
        {
            await HandleAsync(recorder, recorder.Idle, Model([], HostRejected));
        }

        Assert.That(EventWrites(), Is.EqualTo(1), "every sync repeats the diagnostic; the Event is written once");

        await AdvanceAsync(recorder.Idle, options.RefreshInterval);
        var bumped = Server.List<Corev1Event>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(EventWrites(), Is.EqualTo(2));
            Assert.That(bumped.Count, Is.EqualTo(2));
            Assert.That(bumped.LastTimestamp, Is.EqualTo(Time.GetUtcNow().UtcDateTime));
            Assert.That(bumped.FirstTimestamp, Is.EqualTo(Time.GetUtcNow().UtcDateTime - options.RefreshInterval));
        });

        // Fixed, then broken again: the same Event counts the new sighting.
        await HandleAsync(recorder, recorder.Idle, Model([]));
        await HandleAsync(recorder, recorder.Idle, Model([], HostRejected));
        Assert.Multiple(() =>
        {
            Assert.That(Server.List<Corev1Event>().Single().Count, Is.EqualTo(3));
            Assert.That(Metrics.Events.WithLabels("created").Value, Is.EqualTo(1));
            Assert.That(Metrics.Events.WithLabels("updated").Value, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Events_are_rate_limited_errors_first_and_the_dropped_ones_are_tried_again_later()
    {
        var options = new EventRecorderOptions { ReportingInstance = "replica-a", Burst = 25, PerSecond = 1 };
        var warnings = Enumerable.Range(0, 30).Select(i => new Diagnostic(Severity.Warning, new ObjectRef("Ingress", "default", $"a{i:D2}"), "spec", "warned"));
        var error = new Diagnostic(Severity.Error, new ObjectRef("Ingress", "default", "zz-hostile"), "spec.rules[0].host", "rejected");
        var recorder = await StartRecorderAsync(options);

        await HandleAsync(recorder, recorder.Idle, Model([], [.. warnings, error]));
        Assert.Multiple(() =>
        {
            Assert.That(Server.List<Corev1Event>(), Has.Count.EqualTo(25));
            Assert.That(Server.List<Corev1Event>().Select(e => e.InvolvedObject.Name), Does.Contain("zz-hostile"), "errors go first");
            Assert.That(Metrics.Events.WithLabels("dropped").Value, Is.EqualTo(6));
        });

        await AdvanceAsync(recorder.Idle, options.RetryDelay);
        Assert.Multiple(() =>
        {
            Assert.That(Server.List<Corev1Event>(), Has.Count.EqualTo(31));
            Assert.That(Metrics.Events.WithLabels("created").Value, Is.EqualTo(31));
        });
    }

    [Test]
    public async Task Under_the_rate_limit_every_rejected_object_gets_its_Event_before_any_object_gets_a_second()
    {
        var options = new EventRecorderOptions { ReportingInstance = "replica-a", Burst = 25, PerSecond = 1 };
        var many = Enumerable.Range(0, 40).Select(i => new Diagnostic(Severity.Error, new ObjectRef("Ingress", "default", "a-hostile"), $"spec.rules[{i:D2}].host", "rejected"));
        var single = new Diagnostic(Severity.Error, new ObjectRef("Ingress", "default", "z-rejected"), "metadata", "rejected");
        var warned = new Diagnostic(Severity.Warning, new ObjectRef("Ingress", "default", "b-warned"), "spec", "warned");
        var recorder = await StartRecorderAsync(options);

        await HandleAsync(recorder, recorder.Idle, Model([], [.. many, single, warned]));

        var names = Server.List<Corev1Event>().Select(e => e.InvolvedObject.Name).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names, Has.Count.EqualTo(25));
            Assert.That(names, Does.Contain("z-rejected"), "one object's 40 errors do not crowd out another object's rejection");
            Assert.That(names, Does.Not.Contain("b-warned"), "errors first");
        });
    }

    [Test]
    public async Task An_Event_on_a_kind_known_only_by_its_status_resource_carries_its_apiVersion_and_uid()
    {
        var widget = Server.Upsert(new TestWidget { Metadata = new V1ObjectMeta { Name = "limits", NamespaceProperty = "default" } });
        var rejected = new Diagnostic(Severity.Error, new ObjectRef(TestWidget.KindName, "default", "limits"), "spec.burst", "must be at least 1");
        var subject = new Portico.Core.Building.StatusSubject(
            rejected.Target, new StatusResource(TestWidget.GroupName, TestWidget.VersionName, TestWidget.PluralName), 1, []);
        var recorder = await StartRecorderAsync();

        await HandleAsync(recorder, recorder.Idle, ModelServing([], [rejected], subject));

        var recorded = Server.List<Corev1Event>().Single();
        Assert.Multiple(() =>
        {
            Assert.That((recorded.InvolvedObject.Kind, recorded.InvolvedObject.ApiVersion), Is.EqualTo((TestWidget.KindName, "test.portico.dev/v1")));
            Assert.That(recorded.InvolvedObject.Uid, Is.EqualTo(widget.Metadata.Uid), "read through the generic API");
            Assert.That(recorded.Reason, Is.EqualTo("Rejected"));
        });
    }

    [Test]
    public async Task An_Event_recorded_by_an_earlier_leader_is_bumped_not_duplicated()
    {
        var earlier = DiagnosticEvents.Create(HostRejected, null, Time.GetUtcNow().UtcDateTime.AddMinutes(-5), "replica-b");
        earlier.Count = 4;
        Server.Upsert(earlier);
        var recorder = await StartRecorderAsync();

        await HandleAsync(recorder, recorder.Idle, Model([], HostRejected));

        var single = Server.List<Corev1Event>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(single.Count, Is.EqualTo(5));
            Assert.That(single.LastTimestamp, Is.EqualTo(Time.GetUtcNow().UtcDateTime));
            Assert.That(Server.Requests.Where(r => r.Resource == "events").Select(r => (r.Verb, r.StatusCode)),
                Is.EqualTo(new[] { (ApiVerbs.Create, 409), (ApiVerbs.Get, 200), (ApiVerbs.Update, 200) }));
        });
    }

    [Test]
    public async Task A_failed_Event_is_retried_later_and_does_not_stop_the_others()
    {
        var other = new Diagnostic(Severity.Error, new ObjectRef("Ingress", "default", "blog"), "spec", "rejected");
        Server.Faults.FailNextRequests(1, 500, resource: "events", verb: ApiVerbs.Create);
        var options = new EventRecorderOptions { ReportingInstance = "replica-a" };
        var recorder = await StartRecorderAsync(options);

        await HandleAsync(recorder, recorder.Idle, Model([], HostRejected, other));
        Assert.Multiple(() =>
        {
            Assert.That(Server.List<Corev1Event>().Select(e => e.InvolvedObject.Name), Is.EqualTo(new[] { "shop" }), "blog's Event failed, shop's was still written");
            Assert.That(Metrics.Events.WithLabels("failed").Value, Is.EqualTo(1));
        });

        await AdvanceAsync(recorder.Idle, options.RetryDelay);
        Assert.That(Server.List<Corev1Event>().Select(e => e.InvolvedObject.Name), Is.EquivalentTo(new[] { "shop", "blog" }));
    }

    [Test]
    public async Task Only_the_leader_records_Events()
    {
        using var leadership = new ManualLeadership();
        var recorder = await StartRecorderAsync(leadership: leadership);

        recorder.OnModel(Model([], HostRejected));
        Assert.That(recorder.Idle.Count, Is.Zero);
        Assert.That(Server.List<Corev1Event>(), Is.Empty);

        leadership.Lead();
        await IdleAsync(recorder.Idle, 1);
        Assert.That(Server.List<Corev1Event>(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_object_with_a_hostile_name_still_gets_an_Event_under_a_safe_name()
    {
        var hostile = new Diagnostic(Severity.Error, new ObjectRef("Ingress", "default", "x;}\n../../etc"), "metadata", "name must be an RFC 1123 subdomain; the Ingress is not served");
        var recorder = await StartRecorderAsync();

        await HandleAsync(recorder, recorder.Idle, Model([], hostile));

        var recorded = Server.List<Corev1Event>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(recorded.Metadata.Name, Does.Match("^portico\\.[0-9a-f]{16}\\z"));
            Assert.That(recorded.InvolvedObject.Name, Is.EqualTo("x;}\n../../etc"));
            Assert.That(recorded.InvolvedObject.Uid, Is.Null, "a name that cannot exist is not looked up");
        });
    }

    private int EventWrites() => Server.Requests.Count(r => r.Resource == "events" && r.Verb is ApiVerbs.Create or ApiVerbs.Update);
}
