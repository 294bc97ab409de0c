using k8s;
using k8s.Models;
using Portico.Options;
using Portico.TestSupport;

namespace Portico.Tests.Deploy;

/// <summary>
/// The deployment manifest keeps the promises the design makes: nginx and the operator share the config directory
/// and the process namespace (SIGHUP), only the operator holds API credentials, RBAC is read-only except status,
/// events and leases, and the embedded settings are valid Portico settings.
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
    public void RBAC_reads_the_watched_kinds_and_writes_only_status_events_and_leases()
    {
        var rules = Objects.Value.OfType<V1ClusterRole>().Single().Rules
            .Concat(Objects.Value.OfType<V1Role>().SelectMany(r => r.Rules)).ToList();
        var writable = rules.Where(r => r.Verbs.Any(v => v is "create" or "update" or "patch" or "delete")).SelectMany(r => r.Resources).ToHashSet();
        Assert.That(writable, Is.EquivalentTo(new[] { "ingresses/status", "events", "leases" }));
        var readable = rules.Where(r => r.Verbs.Contains("watch")).SelectMany(r => r.Resources).ToHashSet();
        Assert.That(readable, Is.SupersetOf(new[] { "ingresses", "ingressclasses", "services", "endpointslices", "secrets" }));
    }

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
