using k8s.Models;
using Portico.Core.Building;
using Portico.Core.Model;
using Portico.Status;
using Portico.TestApiServer;
using Portico.TestApiServer.Resources;

namespace Portico.Tests.Status;

/// <summary>The status writer on a kind with conditions, reached only through the generic API: the test-only TestWidget.</summary>
public sealed class ConditionStatusWriterTests : StatusTestBase
{
    private static readonly StatusResource Widgets = new(TestWidget.GroupName, TestWidget.VersionName, TestWidget.PluralName);
    private static readonly TimeSpan Resync = new IngressStatusOptions().ResyncPeriod;

    [Test]
    public async Task Conditions_are_written_with_observedGeneration_through_the_status_subresource_even_without_published_addresses()
    {
        var stored = Server.Upsert(Widget("limits", generation: 3));
        var writer = await StartWriterAsync(IngressStatusOptions.Disabled);

        await HandleAsync(writer, writer.Idle, Model(Subject("limits", 3), Rejected("limits", "spec.burst", "must be at least 1")));

        var conditions = ConditionsOf("limits");
        var written = Server.StatusWrites.Single();
        Assert.Multiple(() =>
        {
            Assert.That(conditions.Select(c => (c.Type, c.Status, c.Reason, c.Message, c.ObservedGeneration)),
                Is.EqualTo(new[] { ("Accepted", "False", "Invalid", "spec.burst: must be at least 1", (long?)3) }));
            Assert.That(conditions.Single().LastTransitionTime, Is.EqualTo(Time.GetUtcNow().UtcDateTime));
            Assert.That((written.Verb, written.Resource, written.Name, written.StatusCode), Is.EqualTo((ApiVerbs.Patch, TestWidget.PluralName, "limits", 200)));
            Assert.That(Server.Get<TestWidget>("default", "limits")!.Spec, Is.EqualTo(stored.Spec), "only the status is written");
            Assert.That(Metrics.StatusWrites.WithLabels("updated").Value, Is.EqualTo(1));
            Assert.That(Server.Requests.Where(r => r.Resource == "ingresses"), Is.Empty, "no addresses configured: Ingresses are not read");
        });
    }

    [Test]
    public async Task A_condition_is_written_only_when_it_differs_and_keeps_its_transition_time_while_its_status_holds()
    {
        Server.Upsert(Widget("limits", generation: 1));
        var writer = await StartWriterAsync(IngressStatusOptions.Disabled);
        await HandleAsync(writer, writer.Idle, Model(Subject("limits", 1), Rejected("limits", "spec.burst", "must be at least 1")));
        var firstTransition = ConditionsOf("limits").Single().LastTransitionTime;

        // The same desired status again, then a resync: nothing to write.
        await HandleAsync(writer, writer.Idle, Model(Subject("limits", 1), Rejected("limits", "spec.burst", "must be at least 1")));
        await AdvanceAsync(writer.Idle, Resync);
        Assert.That(Server.StatusWrites, Has.Count.EqualTo(1));

        // Still rejected, for another reason, at a later generation: same status, so the transition time stays.
        await AdvanceAsync(writer.Idle, TimeSpan.FromMinutes(5));
        await HandleAsync(writer, writer.Idle, Model(Subject("limits", 2), Rejected("limits", "spec.rate", "must be positive")));
        var stillRejected = ConditionsOf("limits").Single();
        Assert.That((stillRejected.Message, stillRejected.ObservedGeneration, stillRejected.LastTransitionTime),
            Is.EqualTo(("spec.rate: must be positive", (long?)2, firstTransition)));

        // Fixed: the status flips, and so does the transition time.
        await AdvanceAsync(writer.Idle, TimeSpan.FromMinutes(5));
        await HandleAsync(writer, writer.Idle, Model(Subject("limits", 3)));
        var accepted = ConditionsOf("limits").Single();
        Assert.Multiple(() =>
        {
            Assert.That((accepted.Status, accepted.Reason, accepted.ObservedGeneration), Is.EqualTo(("True", "Accepted", (long?)3)));
            Assert.That(accepted.LastTransitionTime, Is.EqualTo(Time.GetUtcNow().UtcDateTime));
            Assert.That(Server.StatusWrites, Has.Count.EqualTo(3));
        });
    }

    [Test]
    public async Task Conditions_of_other_types_are_kept_and_newer_observations_are_not_overwritten()
    {
        var theirs = new V1Condition { Type = "Ready", Status = "True", Reason = "Reconciled", Message = "by another controller", LastTransitionTime = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) };
        Server.Upsert(Widget("shared", generation: 5, theirs));
        Server.Upsert(Widget("newer", generation: 6, new V1Condition
        {
            Type = "Accepted", Status = "True", Reason = "Accepted", Message = "Accepted", ObservedGeneration = 6, LastTransitionTime = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        }));
        var writer = await StartWriterAsync(IngressStatusOptions.Disabled);

        // A model a moment behind: "newer" was already written from generation 6 (by a newer leader).
        await HandleAsync(writer, writer.Idle, Model([Subject("shared", 5), Subject("newer", 5)], Rejected("newer", "spec", "old finding")));

        Assert.Multiple(() =>
        {
            Assert.That(ConditionsOf("shared").Select(c => (c.Type, c.Status, c.Reason)), Is.EqualTo(new[] { ("Ready", "True", "Reconciled"), ("Accepted", "True", "Accepted") }));
            Assert.That(ConditionsOf("shared")[0].LastTransitionTime, Is.EqualTo(theirs.LastTransitionTime));
            Assert.That(ConditionsOf("newer").Single().Reason, Is.EqualTo("Accepted"));
            Assert.That(Server.StatusWrites.Select(w => w.Name), Is.EqualTo(new[] { "shared" }));
        });
    }

    [Test]
    public async Task A_conflicting_concurrent_write_is_read_again_and_retried_a_bounded_number_of_times()
    {
        Server.Upsert(Widget("limits", generation: 1));
        Server.Faults.FailNextRequests(5, 409, resource: TestWidget.PluralName, verb: ApiVerbs.Patch);
        var writer = await StartWriterAsync(IngressStatusOptions.Disabled);

        await HandleAsync(writer, writer.Idle, Model(Subject("limits", 1)));
        Assert.Multiple(() =>
        {
            Assert.That(Server.StatusWrites.Select(w => w.StatusCode), Is.EqualTo(Enumerable.Repeat(409, 5)));
            Assert.That(Server.Requests.Count(r => r.Verb == ApiVerbs.Get && r.Name == "limits"), Is.EqualTo(5), "read again before every attempt");
            Assert.That(Metrics.StatusWrites.WithLabels("conflict").Value, Is.EqualTo(4));
            Assert.That(Metrics.StatusSyncs.WithLabels("failed").Value, Is.EqualTo(1));
            Assert.That(ConditionsOf("limits"), Is.Empty);
        });

        await AdvanceAsync(writer.Idle, TimeSpan.FromSeconds(1));
        Assert.That(ConditionsOf("limits").Single().Status, Is.EqualTo("True"), "the sync is retried after the backoff");
    }

    [Test]
    public async Task A_stale_resourceVersion_is_refused_and_the_write_redone_on_what_the_object_now_says()
    {
        Server.Upsert(Widget("limits", generation: 1));
        bool interfered = false;
        using var interfering = new InterferingHandler(request =>
        {
            if (!interfered && request.Method == HttpMethod.Patch)
            {
                // Another controller adds its condition between the writer's read and its patch.
                interfered = true;
                var now = Server.Get<TestWidget>("default", "limits")!;
                now.Status = new TestWidgetStatus { Conditions = [new V1Condition { Type = "Ready", Status = "False", Reason = "Waiting", Message = "m", LastTransitionTime = DateTime.UnixEpoch }] };
                Server.Upsert(now);
            }
        });
        using var client = new k8s.Kubernetes(Server.CreateClientConfiguration(), interfering);
        var writer = await StartWriterAsync(IngressStatusOptions.Disabled, client: client);

        await HandleAsync(writer, writer.Idle, Model(Subject("limits", 1)));

        Assert.Multiple(() =>
        {
            Assert.That(Server.StatusWrites.Select(w => w.StatusCode), Is.EqualTo(new[] { 409, 200 }));
            Assert.That(ConditionsOf("limits").Select(c => c.Type), Is.EqualTo(new[] { "Ready", "Accepted" }), "the concurrent change is kept");
        });
    }

    [Test]
    public async Task A_missing_object_is_skipped_and_the_others_are_written()
    {
        Server.Upsert(Widget("present", generation: 1));
        var writer = await StartWriterAsync(IngressStatusOptions.Disabled);

        await HandleAsync(writer, writer.Idle, Model([Subject("gone", 1), Subject("present", 1)]));

        Assert.Multiple(() =>
        {
            Assert.That(ConditionsOf("present"), Has.Count.EqualTo(1));
            Assert.That(Metrics.StatusSyncs.WithLabels("ok").Value, Is.EqualTo(1), "an object deleted since the build is not a failure");
        });
    }

    [Test]
    public async Task Only_the_leader_writes_conditions()
    {
        Server.Upsert(Widget("limits", generation: 1));
        using var leadership = new ManualLeadership();
        var writer = await StartWriterAsync(IngressStatusOptions.Disabled, leadership);

        writer.OnModel(Model(Subject("limits", 1)));
        Assert.That((writer.Idle.Count, Server.StatusWrites.Count, ConditionsOf("limits").Count), Is.EqualTo((0L, 0, 0)), "a follower writes nothing");

        leadership.Lead();
        await IdleAsync(writer.Idle, 1);
        Assert.That(ConditionsOf("limits").Single().Type, Is.EqualTo("Accepted"));

        leadership.StepDown();
        writer.OnModel(Model(Subject("limits", 2), Rejected("limits", "spec", "broken")));
        Time.Advance(Resync);
        Assert.That((writer.Idle.Count, ConditionsOf("limits").Single().Status), Is.EqualTo((1L, "True")), "no work outside a term");
    }

    [Test]
    public void The_writer_declares_the_rules_it_needs_for_every_kind_with_conditions()
    {
        var rules = StatusWriter.Permissions.Select(p => p.ToString()).ToList();
        Assert.That(rules, Is.SupersetOf(new[]
        {
            "networking.k8s.io/ingresses/status: update",
            "portico.dev/ingresspolicies: get",
            "portico.dev/ingresspolicies/status: patch",
        }));
    }

    private static TestWidget Widget(string name, long generation, params V1Condition[] conditions) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Generation = generation },
        Spec = new Dictionary<string, string> { ["size"] = "small" },
        Status = conditions.Length == 0 ? null : new TestWidgetStatus { Conditions = [.. conditions] },
    };

    private static StatusSubject Subject(string name, long generation) => new(new ObjectRef(TestWidget.KindName, "default", name), Widgets, generation, []);

    private static Diagnostic Rejected(string name, string field, string message) => new(Severity.Error, new ObjectRef(TestWidget.KindName, "default", name), field, message);

    private ProxyModel Model(StatusSubject subject, params Diagnostic[] diagnostics) => Model([subject], diagnostics);

    private ProxyModel Model(StatusSubject[] subjects, params Diagnostic[] diagnostics) => ModelServing([], diagnostics, subjects);

    private IList<V1Condition> ConditionsOf(string name) => Server.Get<TestWidget>("default", name)?.Status?.Conditions ?? [];

    /// <summary>Runs an action before each request leaves the client, to change the server's state at an exact moment.</summary>
    private sealed class InterferingHandler(Action<HttpRequestMessage> before) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            before(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
