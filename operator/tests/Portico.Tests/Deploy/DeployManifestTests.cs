using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Leadership;
using Portico.Options;
using Portico.Status;
using Portico.TestSupport;

namespace Portico.Tests.Deploy;

/// <summary>
/// The deployment manifest keeps the promises the design makes: nginx and the operator share the config directory
/// and the process namespace (SIGHUP), only the operator holds API credentials, RBAC is exactly what the registered
/// kinds, the status writers and leader election need (as the code states it), and the embedded settings are valid.
/// </summary>
public sealed class DeployManifestTests
{
    private static readonly Lazy<List<object>> Objects = new(() =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(RepositoryPaths.Combine("manifests", "deploy", "portico.yaml"))));

    private static V1Deployment Deployment => Objects.Value.OfType<V1Deployment>().Single();

    private static V1Container Container(string name) => Deployment.Spec.Template.Spec.Containers.Single(c => c.Name == name);

    [Test]
    public void Operator_and_nginx_share_the_config_directory_and_the_process_namespace()
    {
        var pod = Deployment.Spec.Template.Spec;
        Assert.That(pod.ShareProcessNamespace, Is.True);
        string shared = Container("operator").VolumeMounts.Single(m => m.Name == "shared").MountPath;
        Assert.That(Container("nginx").VolumeMounts.Single(m => m.Name == "shared").MountPath, Is.EqualTo(shared));
        Assert.That(string.Join(" ", Container("nginx").Args), Does.Contain($"-p {shared}/ -c current/nginx.conf"));
        Assert.That(Settings().Run.SharedDirectory, Is.EqualTo(shared));
    }

    [Test]
    public void Only_the_operator_container_gets_API_credentials()
    {
        var pod = Deployment.Spec.Template.Spec;
        Assert.That(pod.AutomountServiceAccountToken, Is.False);
        Assert.That(Container("operator").VolumeMounts.Select(m => m.MountPath), Does.Contain("/var/run/secrets/kubernetes.io/serviceaccount"));
        Assert.That(Container("nginx").VolumeMounts.Select(m => m.Name), Is.EqualTo(new[] { "shared" }));
    }

    [Test]
    public void The_ClusterRole_grants_exactly_what_the_registered_kinds_and_the_status_writers_need()
    {
        var needed = Needs(ApiAccessScope.Cluster);
        var granted = Grants(Objects.Value.OfType<V1ClusterRole>().Single().Rules);
        Assert.That(granted.Except(needed), Is.Empty, "granted but needed by no code: remove from manifests/deploy/portico.yaml");
        Assert.That(needed.Except(granted), Is.Empty, "needed by the code but not granted: add to manifests/deploy/portico.yaml");
        Assert.That(granted.Where(g => g.Verb is "create" or "update" or "patch" or "delete").Select(g => g.Resource).Distinct(), Is.EquivalentTo(new[] { "ingresses/status", "ingresspolicies/status", "events" }), "the cluster-wide writes are status subresources and Events only");
    }

    [Test]
    public void The_Role_in_the_operator_namespace_grants_exactly_what_leader_election_needs()
    {
        var role = Objects.Value.OfType<V1Role>().Single();
        Assert.That(role.Metadata.NamespaceProperty, Is.EqualTo(Deployment.Metadata.NamespaceProperty), "the Lease lives beside the operator");
        Assert.That(Grants(role.Rules), Is.EquivalentTo(Needs(ApiAccessScope.OperatorNamespace)));
    }

    /// <summary>What the code says it needs: every registered kind read (get, list, watch), the status writers' and leader election's calls.</summary>
    private static HashSet<(string Group, string Resource, string Verb)> Needs(ApiAccessScope scope) =>
        KindRegistry.Default.ReadAccess.Concat(StatusAccess.Needed).Concat(LeaderElectionAccess.Needed)
            .Where(a => a.Scope == scope)
            .SelectMany(a => a.Grants())
            .ToHashSet();

    /// <summary>What RBAC rules grant, one (group, resource, verb) each, however the manifest groups them into rules.</summary>
    private static HashSet<(string Group, string Resource, string Verb)> Grants(IEnumerable<V1PolicyRule> rules) =>
        rules.SelectMany(r =>
        {
            Assert.That(r.ResourceNames ?? [], Is.Empty, "rules name no single objects");
            return from g in r.ApiGroups from res in r.Resources from v in r.Verbs select (g, res, v);
        }).ToHashSet();

    [Test]
    public void The_embedded_settings_are_valid()
    {
        var options = Settings();
        Assert.That(() => OptionsResolver.Resolve(options), Throws.Nothing);
        Assert.That(OptionsResolver.ResolveRun(options).Binaries[Core.Proxies.ProxyKind.Nginx], Is.EqualTo("/usr/sbin/nginx"));
    }

    private static PorticoOptions Settings()
    {
        string yaml = Objects.Value.OfType<V1ConfigMap>().Single().Data["portico.yaml"];
        string file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"deploy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        try
        {
            return OptionsLoader.Load(file, new Dictionary<string, string?>(), readEnvironment: false);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
