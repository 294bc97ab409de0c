using k8s;
using k8s.Models;
using Portico.Status;
using Portico.TestSupport;

namespace Portico.Tests.Status;

/// <summary>The deploy manifest grants every call the leader-only writers declare (they cannot drift apart silently).</summary>
public sealed class StatusPermissionsTests
{
    private static IEnumerable<RbacRule> Declared => StatusWriter.Permissions.Concat(DiagnosticEventRecorder.Permissions);

    [TestCaseSource(nameof(DeclaredNames))]
    public void The_deploy_ClusterRole_grants_what_the_status_writer_and_the_Event_recorder_call(string declared)
    {
        var rule = Declared.First(r => r.ToString() == declared);
        var granted = KubernetesYaml.LoadAllFromString(File.ReadAllText(RepositoryPaths.Combine("manifests", "deploy", "portico.yaml")))
            .OfType<V1ClusterRole>().Single().Rules
            .Where(r => r.ApiGroups.Contains(rule.Group) && r.Resources.Contains(rule.Resource))
            .SelectMany(r => r.Verbs)
            .ToHashSet();

        Assert.That(granted, Is.SupersetOf(rule.Verbs), declared);
    }

    [Test]
    public void Status_is_written_only_through_status_subresources()
    {
        var writes = Declared.Where(r => r.Verbs.Any(v => v is "create" or "update" or "patch" or "delete")).Select(r => r.Resource).Distinct();
        Assert.That(writes, Is.EquivalentTo(new[] { "ingresses/status", "ingresspolicies/status", "events" }));
    }

    private static IEnumerable<string> DeclaredNames() => Declared.Select(r => r.ToString()).Distinct();
}
