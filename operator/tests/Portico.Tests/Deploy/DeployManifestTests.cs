using k8s.Models;
using Portico.Core.Kubernetes;
using Portico.Leadership;
using Portico.Options;
using Portico.Status;

namespace Portico.Tests.Deploy;

/// <summary>
/// The promises of the deployment, for the base and every overlay as `kubectl kustomize` builds them: every object
/// reads strictly into KubernetesClient's models; RBAC is exactly what the registered kinds, the status and Event
/// writers and leader election need (as the code states it), with no wildcard; only the operator holds API
/// credentials; both containers are locked down; the pod is spread and protected against voluntary disruption.
/// </summary>
[TestFixtureSource(typeof(Kustomize), nameof(Kustomize.Variants))]
public sealed class DeployManifestTests(string variant)
{
    private const string OperatorNamespace = "portico-system";

    private DeployObjects _objects = null!;

    [OneTimeSetUp]
    public void Build() => _objects = DeployObjects.Load(variant);

    [Test]
    public void Every_object_has_a_name_and_a_namespace_exactly_when_its_kind_is_namespaced()
    {
        var clusterScoped = new HashSet<string>(StringComparer.Ordinal) { "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "IngressClass" };
        foreach (var node in _objects.Json)
        {
            string kind = (string)node["kind"]!;
            var metadata = node["metadata"]!;
            Assert.That((string?)metadata["name"], Is.Not.Null.And.Not.Empty, kind);
            Assert.That(metadata["namespace"] is null, Is.EqualTo(clusterScoped.Contains(kind)), $"{kind} {metadata["name"]}");
        }

        var keys = _objects.Json.Select(n => $"{n["kind"]}/{n["metadata"]!["namespace"]}/{n["metadata"]!["name"]}").ToList();
        Assert.That(keys, Is.Unique);
    }

    [Test]
    public void The_CRDs_and_the_IngressClass_are_installed()
    {
        var crds = _objects.OfType<V1CustomResourceDefinition>().Select(c => c.Metadata.Name);
        Assert.That(crds, Is.EquivalentTo(KindRegistry.Default.Kinds.Where(k => k.Api == KindApi.CustomObjects).Select(k => $"{k.Resource}.{k.Group}")));
        var ingressClass = _objects.OfType<V1IngressClass>().Single();
        Assert.That(ingressClass.Metadata.Name, Is.EqualTo(Settings.IngressClass));
        Assert.That(ingressClass.Spec.Controller, Is.EqualTo(Settings.ControllerName).And.EqualTo("portico.dev/ingress-controller"));
    }

    [Test]
    public void RBAC_grants_exactly_what_the_code_needs_in_each_scope()
    {
        var granted = Granted();
        var needed = Needed();
        Assert.That(granted.Except(needed), Is.Empty, "granted but needed by no code: remove it from the manifests");
        Assert.That(needed.Except(granted), Is.Empty, "needed by the code but not granted: add it to the manifests");
    }

    [Test]
    public void RBAC_has_no_wildcards_names_no_single_objects_and_keeps_Secrets_read_only()
    {
        var rules = _objects.OfType<V1ClusterRole>().SelectMany(r => r.Rules).Concat(_objects.OfType<V1Role>().SelectMany(r => r.Rules)).ToList();
        Assert.That(rules, Is.Not.Empty);
        foreach (var rule in rules)
        {
            Assert.That(rule.ApiGroups.Concat(rule.Resources).Concat(rule.Verbs), Has.None.Contains("*"));
            Assert.That(rule.NonResourceURLs ?? [], Is.Empty);
            Assert.That(rule.ResourceNames ?? [], Is.Empty, "rules name no single objects");
            if (rule.Resources.Contains("secrets"))
            {
                Assert.That(rule.Verbs, Is.SubsetOf(new[] { "get", "list", "watch" }));
            }
        }

        var writes = Granted().Where(g => g.Verb is "create" or "update" or "patch" or "delete" or "deletecollection").Select(g => g.Resource).Distinct();
        Assert.That(writes, Is.EquivalentTo(new[] { "ingresses/status", "ingresspolicies/status", "events", "leases" }), "writes are status subresources, Events and the leader Lease only");
    }

    [Test]
    public void Every_role_is_bound_to_the_operator_service_account_only()
    {
        var account = _objects.OfType<V1ServiceAccount>().Single();
        Assert.That(account.Metadata.NamespaceProperty, Is.EqualTo(OperatorNamespace));
        Assert.That(account.AutomountServiceAccountToken, Is.False);
        Assert.That(_objects.Pod.ServiceAccountName, Is.EqualTo(account.Metadata.Name));
        var bindings = _objects.OfType<V1ClusterRoleBinding>().Select(b => (b.RoleRef, b.Subjects, Namespace: (string?)null))
            .Concat(_objects.OfType<V1RoleBinding>().Select(b => (b.RoleRef, b.Subjects, Namespace: (string?)b.Metadata.NamespaceProperty))).ToList();
        foreach (var (roleRef, subjects, ns) in bindings)
        {
            Assert.That(subjects.Select(s => (s.Kind, s.Name, s.NamespaceProperty)), Is.EqualTo(new[] { ("ServiceAccount", account.Metadata.Name, OperatorNamespace) }));
        }

        Assert.That(_objects.OfType<V1ClusterRole>().Select(r => r.Metadata.Name), Is.EquivalentTo(bindings.Where(b => b.RoleRef.Kind == "ClusterRole").Select(b => b.RoleRef.Name)));
        Assert.That(_objects.OfType<V1Role>().Select(r => (r.Metadata.NamespaceProperty, r.Metadata.Name)), Is.EquivalentTo(bindings.Where(b => b.RoleRef.Kind == "Role").Select(b => (b.Namespace, b.RoleRef.Name))));
    }

    [Test]
    public void Only_the_operator_container_gets_API_credentials()
    {
        var pod = _objects.Pod;
        Assert.That(pod.AutomountServiceAccountToken, Is.False);
        var token = pod.Volumes.Single(v => v.Projected?.Sources.Any(s => s.ServiceAccountToken is not null) == true);
        Assert.That(_objects.Operator.VolumeMounts.Single(m => m.Name == token.Name).MountPath, Is.EqualTo("/var/run/secrets/kubernetes.io/serviceaccount"));
        foreach (var container in pod.Containers.Concat(pod.InitContainers).Where(c => c.Name != "operator"))
        {
            Assert.That(container.VolumeMounts.Select(m => m.Name), Has.None.EqualTo(token.Name), container.Name);
            Assert.That(container.VolumeMounts.Select(m => m.MountPath), Has.None.StartsWith("/var/run/secrets"), container.Name);
        }
    }

    [Test]
    public void Every_container_is_non_root_read_only_without_capabilities_and_bounded()
    {
        var pod = _objects.Pod;
        Assert.That(pod.SecurityContext.RunAsNonRoot, Is.True);
        Assert.That(pod.SecurityContext.RunAsUser, Is.Not.Null.And.Not.EqualTo(0));
        Assert.That(pod.SecurityContext.SeccompProfile.Type, Is.EqualTo("RuntimeDefault"));
        Assert.That(pod.HostNetwork ?? false, Is.False);
        Assert.That(pod.HostPID ?? false, Is.False);
        Assert.That(pod.Containers.Select(c => c.Name).ToList(), Has.Count.EqualTo(2).And.Contains("operator"));
        foreach (var container in pod.Containers.Concat(pod.InitContainers))
        {
            var security = container.SecurityContext;
            Assert.That(security.AllowPrivilegeEscalation, Is.False, container.Name);
            Assert.That(security.ReadOnlyRootFilesystem, Is.True, container.Name);
            Assert.That(security.Capabilities.Drop, Is.EqualTo(new[] { "ALL" }), container.Name);
            Assert.That(security.Capabilities.Add ?? [], Is.Empty, container.Name);
            Assert.That(security.Privileged ?? false, Is.False, container.Name);
            Assert.That(security.RunAsUser ?? pod.SecurityContext.RunAsUser, Is.EqualTo(pod.SecurityContext.RunAsUser), $"{container.Name}: one UID for the pod (kill(2), 0600 keys)");
            Assert.That(container.Resources.Requests.Keys, Is.EquivalentTo(new[] { "cpu", "memory" }), container.Name);
            Assert.That(container.Resources.Limits.Keys, Is.EquivalentTo(new[] { "cpu", "memory" }), container.Name);
            Assert.That(container.Image, Does.Match(@"^[a-z0-9./-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$").And.Not.EndsWith(":latest"), $"{container.Name}: a pinned image");
        }
    }

    [Test]
    public void Both_long_running_containers_have_readiness_and_liveness_probes()
    {
        foreach (var container in _objects.Pod.Containers)
        {
            Assert.That(container.ReadinessProbe, Is.Not.Null, container.Name);
            Assert.That(container.LivenessProbe, Is.Not.Null, container.Name);
        }
    }

    [Test]
    public void Two_replicas_spread_over_nodes_and_zones_and_a_PodDisruptionBudget_keeps_one()
    {
        var deployment = _objects.Deployment;
        var labels = deployment.Spec.Template.Metadata.Labels;
        Assert.That(deployment.Spec.Replicas, Is.EqualTo(2));
        Assert.That(deployment.Spec.Selector.MatchLabels, Is.SubsetOf(labels));
        var antiAffinity = _objects.Pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution.Single().PodAffinityTerm;
        Assert.That(antiAffinity.TopologyKey, Is.EqualTo("kubernetes.io/hostname"));
        Assert.That(antiAffinity.LabelSelector.MatchLabels, Is.SubsetOf(labels));
        var spread = _objects.Pod.TopologySpreadConstraints.Single();
        Assert.That(spread.TopologyKey, Is.EqualTo("topology.kubernetes.io/zone"));
        Assert.That(spread.LabelSelector.MatchLabels, Is.SubsetOf(labels));
        var budget = _objects.OfType<V1PodDisruptionBudget>().Single();
        Assert.That(budget.Metadata.NamespaceProperty, Is.EqualTo(deployment.Metadata.NamespaceProperty));
        Assert.That(budget.Spec.Selector.MatchLabels, Is.EquivalentTo(deployment.Spec.Selector.MatchLabels));
        Assert.That(budget.Spec.MaxUnavailable?.Value, Is.EqualTo("1"));
        Assert.That(deployment.Spec.Strategy.RollingUpdate.MaxUnavailable?.Value, Is.EqualTo("0"), "a rollout never drops below two serving pods");
    }

    [Test]
    public void The_embedded_settings_are_valid()
    {
        Assert.That(() => OptionsResolver.Resolve(Settings), Throws.Nothing);
        Assert.That(() => OptionsResolver.ResolveRun(Settings), Throws.Nothing);
    }

    private PorticoOptions Settings => DeploySettings.Load(_objects);

    /// <summary>
    /// What the code says it needs, as (where, group, resource, verb); where is "" for the ClusterRole, else a Role's
    /// namespace: every registered kind read (get, list, watch), the status and Event writers' calls, leader
    /// election's Lease calls in the operator's namespace. With run.namespace the namespaced needs move into a Role in
    /// that namespace, and Events about cluster-scoped objects (written in "default") into a Role there.
    /// </summary>
    private HashSet<(string Scope, string Group, string Resource, string Verb)> Needed()
    {
        var clusterScoped = KindRegistry.Default.Kinds.Where(k => !k.Namespaced).Select(k => k.Resource).ToHashSet(StringComparer.Ordinal);
        bool IsClusterScoped(string resource) => clusterScoped.Contains(resource.Split('/')[0]);
        var all = KindRegistry.Default.ReadAccess.Concat(StatusAccess.Needed).Concat(LeaderElectionAccess.Needed).ToList();
        var cluster = all.Where(a => a.Scope == ApiAccessScope.Cluster).SelectMany(a => a.Grants()).ToList();
        var needed = all.Where(a => a.Scope == ApiAccessScope.OperatorNamespace).SelectMany(a => a.Grants()).Select(g => (OperatorNamespace, g.Group, g.Resource, g.Verb)).ToHashSet();
        string watched = Settings.Run.Namespace;
        foreach (var (group, resource, verb) in cluster)
        {
            if (watched.Length == 0 || IsClusterScoped(resource))
            {
                needed.Add((string.Empty, group, resource, verb));
                continue;
            }

            needed.Add((watched, group, resource, verb));
            if (resource == "events")
            {
                needed.Add(("default", group, resource, verb));
            }
        }

        return needed;
    }

    /// <summary>What the rules grant, as (where, group, resource, verb) like <see cref="Needed"/>, however the manifests group them into rules.</summary>
    private HashSet<(string Scope, string Group, string Resource, string Verb)> Granted() =>
        _objects.OfType<V1ClusterRole>().Select(r => (Scope: string.Empty, r.Rules))
            .Concat(_objects.OfType<V1Role>().Select(r => (Scope: r.Metadata.NamespaceProperty, r.Rules)))
            .SelectMany(r => from rule in r.Rules from g in rule.ApiGroups from res in rule.Resources from v in rule.Verbs select (r.Scope, g, res, v))
            .ToHashSet();
}
