using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;
using Api = Portico.TestApiServer.TestApiServer;

namespace Portico.E2E.Tests;

/// <summary>
/// IngressPolicies through the operator, against the test API server: two replicas each with its own nginx. Creating,
/// updating and deleting a policy changes what both replicas do, status conditions on the policy are written by the
/// leader only, and before the CRD exists the operator is ready and serves Ingresses.
/// </summary>
[TestFixture]
public sealed class PolicyOperatorTests
{
    private readonly List<(OperatorUnderTest Operator, Sidecar Sidecar, OperatorPorts Ports)> _replicas = [];
    private TestBackend _backend = null!;
    private Api _api = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _backend = await TestBackend.StartAsync("app");
        _api = await Api.StartAsync();
        _api.Upsert(Kube.IngressClass("portico"));
        _api.Upsert(Kube.Service("app", "default", (null, 80)));
        _api.Upsert(Kube.Slice("app", null, _backend.Port, ["127.0.0.1"], name: "app-1"));
        _api.Upsert(Kube.Ingress("shop").WithPath("shop.test", "/", "Prefix", "app", 80));
        _directory = NginxProcess.CreateTemporaryDirectory();
        string kubeconfig = Kubeconfig.Write(_directory, _api.BaseAddress);
        for (int i = 0; i < 2; i++)
        {
            var ports = OperatorPorts.Take();
            string shared = Path.Combine(_directory, $"shared-{i}");
            var replica = await OperatorUnderTest.StartAsync(ports, shared, kubeconfig, options =>
            {
                options.LeaderElection.LeaseDuration = "2s";
                options.LeaderElection.RenewDeadline = "1500ms";
                options.LeaderElection.RetryPeriod = "250ms";
            });
            var sidecar = new Sidecar(shared);
            _replicas.Add((replica, sidecar, ports));
            await sidecar.StartWhenConfiguredAsync();
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        foreach (var (replica, sidecar, _) in _replicas)
        {
            await replica.DisposeAsync();
            await sidecar.DisposeAsync();
        }

        await _api.DisposeAsync();
        await _backend.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    [Order(1)]
    public async Task Without_the_CRD_every_replica_is_ready_and_serves()
    {
        foreach (var (replica, _, ports) in _replicas)
        {
            Assert.That(await Eventually.TrueAsync(() => replica.Readiness.IsReady), Is.True, "ready without the IngressPolicy CRD");
            var response = await Eventually.ValueAsync(() => ProxyClient.TryGetAsync(ports.Http, "shop.test", "/"), r => r.Backend == "app");
            Assert.That(response.Backend, Is.EqualTo("app"), response.ToString());
            Assert.That(replica.Metrics.KindAvailable.WithLabels(IngressPolicy.KubeKind).Value, Is.Zero);
        }
    }

    [Test]
    [Order(2)]
    public async Task Creating_updating_and_deleting_a_policy_changes_routing_on_every_replica()
    {
        ServePolicies();

        // Created: the loopback client is not on the allow list.
        _api.Upsert(Policy(["192.0.2.0/24"]));
        await EveryReplicaAnswersAsync(r => r.StatusCode == 403, "denied by the allow list");

        // Updated: the loopback client is allowed.
        _api.Upsert(Policy(["127.0.0.1/32", "::1/128"]));
        await EveryReplicaAnswersAsync(r => r.StatusCode == 200 && r.Backend == "app", "allowed after the update");

        // Updated again to deny, then deleted: served openly again only because the policy is gone.
        _api.Upsert(Policy(["192.0.2.0/24"]));
        await EveryReplicaAnswersAsync(r => r.StatusCode == 403, "denied again");
        _api.Delete<IngressPolicy>("default", "office-only");
        await EveryReplicaAnswersAsync(r => r.StatusCode == 200 && r.Backend == "app", "served once the policy is deleted");
    }

    [Test]
    [Order(3)]
    public async Task Policy_status_is_written_by_the_leader_only()
    {
        _api.Upsert(Policy(["127.0.0.1/32", "::1/128"], name: "status-check"));
        var leader = await Eventually.ValueAsync(() => Task.FromResult(_replicas.SingleOrDefault(r => r.Operator.IsLeader).Operator), o => o is not null);
        Assert.That(leader, Is.Not.Null, "one leader");

        Assert.That(
            await Eventually.TrueAsync(() => ConditionOf("status-check", "Accepted") == "True" && ConditionOf("status-check", "ResolvedRefs") == "True"),
            Is.True,
            $"Accepted and ResolvedRefs written: {string.Join(", ", _api.Get<IngressPolicy>("default", "status-check")?.Status?.Conditions?.Select(c => $"{c.Type}={c.Status}") ?? [])}");
        var follower = _replicas.Single(r => !ReferenceEquals(r.Operator, leader)).Operator;
        Assert.That(follower.Metrics.StatusWrites.WithLabels("updated").Value, Is.Zero, "the follower writes no status");
        Assert.That(leader.Metrics.StatusWrites.WithLabels("updated").Value, Is.GreaterThan(0), "the leader does");
        Assert.That(_api.Requests.Any(r => r.IsStatusWrite && r.Resource == IngressPolicy.KubePluralName && r.Name == "status-check"), Is.True);

        // A refused policy: Accepted=False with the field named, and a Warning Event on it.
        _api.Upsert(Policy(["010.0.0.1/32"], name: "octal"));
        Assert.That(await Eventually.TrueAsync(() => ConditionOf("octal", "Accepted") == "False"), Is.True, "refused policy reported");
        var accepted = _api.Get<IngressPolicy>("default", "octal")!.Status.Conditions!.Single(c => c.Type == "Accepted");
        Assert.That(accepted.Message, Does.Contain("ipAllowList[0]"));
        Assert.That(await Eventually.TrueAsync(() => _api.List<Corev1Event>().Any(e => e.InvolvedObject?.Name == "octal" && e.InvolvedObject.Kind == IngressPolicy.KubeKind)), Is.True, "an Event on the policy");
        Assert.That(follower.Metrics.Events.WithLabels("created").Value, Is.Zero, "the follower records no Events");
    }

    [Test]
    [Order(4)]
    public async Task Basic_auth_reads_its_Opaque_Secret_even_when_referenced_after_it_exists_and_keeps_only_referenced_Secrets()
    {
        ServePolicies();

        // Both Secrets exist before anything references them: the operator keeps neither (only their names).
        _api.Upsert(OpaqueSecret("staff-users", "bob:{SHA}KkPcK3XYeA35EhWhKYmaCyAgadY=\n"));
        _api.Upsert(OpaqueSecret("unrelated", "carol:{SHA}KkPcK3XYeA35EhWhKYmaCyAgadY=\n"));
        _api.Upsert(Kube.Ingress("staff").WithPath("staff.test", "/", "Prefix", "app", 80));
        await EveryReplicaAnswersAsync(r => r.StatusCode == 200 && r.Backend == "app", "served openly before any policy", "staff.test");
        foreach (var (replica, _, _) in _replicas)
        {
            Assert.That(replica.Metrics.Objects.WithLabels("Secret").Value, Is.Zero, "no Secret is referenced yet: none kept");
        }

        // A policy starts referencing one: it is read (or arrives by the watch) and enforced without a restart.
        _api.Upsert(new IngressPolicy
        {
            Metadata = new V1ObjectMeta { Name = "staff-login", NamespaceProperty = "default", Uid = "6f1c2a4e-8b7d-4c3a-9e2f-1a2b3c4d5e6f", CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
            Spec = new IngressPolicySpec
            {
                TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = "staff" },
                BasicAuth = new BasicAuthPolicy { SecretRef = new LocalObjectName { Name = "staff-users" }, Realm = "Staff" },
            },
        });
        await EveryReplicaAnswersAsync(r => r.StatusCode == 401, "credentials required", "staff.test");
        await EveryReplicaAnswersAsync(r => r.StatusCode == 200 && r.Backend == "app", "the Secret's user passes", "staff.test", Basic("bob", "sha-secret"));
        foreach (var (replica, _, _) in _replicas)
        {
            Assert.That(replica.Metrics.Objects.WithLabels("Secret").Value, Is.EqualTo(1), "only the referenced Secret is kept");
        }

        Assert.That(_api.Requests.Count(r => r.Method == "GET" && r.Resource == "secrets" && r.Name == "staff-users"), Is.LessThanOrEqualTo(2), "at most one read per replica");
        Assert.That(_api.Requests.Any(r => r.Method == "GET" && r.Resource == "secrets" && r.Name == "unrelated"), Is.False, "an unreferenced Secret is never read");

        // The Secret changes: the old user is refused, the new one passes.
        _api.Upsert(OpaqueSecret("staff-users", "alice:$apr1$portico1$//KM.cPMXcett7EwcCxSd/\n"));
        await EveryReplicaAnswersAsync(r => r.StatusCode == 401, "the old user is refused", "staff.test", Basic("bob", "sha-secret"));
        await EveryReplicaAnswersAsync(r => r.StatusCode == 200, "the new user passes", "staff.test", Basic("alice", "apr-secret"));

        // The policy goes: nothing references the Secret any more, so it leaves every replica's memory.
        _api.Delete<IngressPolicy>("default", "staff-login");
        await EveryReplicaAnswersAsync(r => r.StatusCode == 200 && r.Backend == "app", "open again without the policy", "staff.test");
        foreach (var (replica, _, _) in _replicas)
        {
            Assert.That(await Eventually.TrueAsync(() => replica.Metrics.Objects.WithLabels("Secret").Value == 0), Is.True, "an unreferenced Secret is dropped");
        }
    }

    [Test]
    [Order(5)]
    public async Task Annotation_basic_auth_whose_Secret_is_created_after_the_Ingress_arrives_by_the_watch()
    {
        // Referenced before it exists: it fails closed, then the watch brings the Secret and it is kept (no GET needed).
        _api.Upsert(Kube.Ingress("legacy").WithPath("legacy.test", "/", "Prefix", "app", 80)
            .WithAnnotation("nginx.ingress.kubernetes.io/auth-type", "basic")
            .WithAnnotation("nginx.ingress.kubernetes.io/auth-secret", "default/legacy-users")
            .WithAnnotation("nginx.ingress.kubernetes.io/auth-realm", "Legacy"));
        await EveryReplicaAnswersAsync(r => r.StatusCode == 403, "denied while the Secret is missing", "legacy.test", Basic("bob", "sha-secret"));

        _api.Upsert(OpaqueSecret("legacy-users", "bob:{SHA}KkPcK3XYeA35EhWhKYmaCyAgadY=\n"));
        await EveryReplicaAnswersAsync(r => r.StatusCode == 401, "credentials required", "legacy.test");
        await EveryReplicaAnswersAsync(r => r.StatusCode == 401, "a wrong password is refused", "legacy.test", Basic("bob", "wrong"));
        await EveryReplicaAnswersAsync(r => r.StatusCode == 200 && r.Backend == "app", "the Secret's user passes", "legacy.test", Basic("bob", "sha-secret"));
        Assert.That(_api.Requests.Any(r => r.Method == "GET" && r.Resource == "secrets" && r.Name == "legacy-users"), Is.False, "the watch brought it");

        _api.Delete<V1Ingress>("default", "legacy");
        foreach (var (replica, _, _) in _replicas)
        {
            Assert.That(await Eventually.TrueAsync(() => replica.Metrics.Objects.WithLabels("Secret").Value == 0), Is.True, "dropped with its Ingress");
        }
    }

    private bool _policiesServed;

    /// <summary>Installs the IngressPolicy CRD in the test API server (once; the tests before that run without it).</summary>
    private void ServePolicies()
    {
        if (!_policiesServed)
        {
            _api.ServeCustomResource<IngressPolicy>(IngressPolicy.KubeGroup, IngressPolicy.KubeApiVersion, IngressPolicy.KubePluralName, IngressPolicy.KubeKind, namespaced: true, statusSubresource: true);
            _policiesServed = true;
        }
    }

    private static V1Secret OpaqueSecret(string name, string htpasswd) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { ["auth"] = System.Text.Encoding.UTF8.GetBytes(htpasswd) },
    };

    private static Dictionary<string, string> Basic(string user, string password) =>
        new() { ["Authorization"] = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")) };

    private async Task EveryReplicaAnswersAsync(Func<ProxyResponse, bool> expected, string what, string host = "shop.test", Dictionary<string, string>? headers = null)
    {
        foreach (var (_, _, ports) in _replicas)
        {
            var response = await Eventually.ValueAsync(
                async () =>
                {
                    try
                    {
                        return await ProxyClient.SendAsync(new ProxyRequest(ports.Http, host, "/") { Headers = headers ?? [] });
                    }
                    catch (HttpRequestException e)
                    {
                        return new ProxyResponse(0, new Dictionary<string, string>(), e.Message, null);
                    }
                },
                expected);
            Assert.That(expected(response), Is.True, $"{what}: {response}");
        }
    }

    private string? ConditionOf(string policy, string type) =>
        _api.Get<IngressPolicy>("default", policy)?.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status;

    private static IngressPolicy Policy(List<string> allow, string name = "office-only") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = new Guid(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))[..16]).ToString(), CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Spec = new IngressPolicySpec
        {
            TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = "shop" },
            IpAllowList = allow,
        },
    };
}
