using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;
using Portico.TestSupport.Nginx;

namespace Portico.Bench.Operator;

/// <summary>
/// The cluster the operator benchmarks run on, seeded straight into the test API server. The bulk is shaped like the
/// render benchmark's synthetic cluster: N Ingresses in 10 namespaces, each with its own host and 3 paths (/ and /api
/// Prefix, /healthz Exact) to its own Service, whose EndpointSlice holds 3 ready endpoints (127.0.0.1-3 on the port
/// of one of the real backends: only .1 answers, and these routes are never requested); TLS with an own Secret on
/// every 10th Ingress. Besides, one "probe-NAME" Service per real backend (one endpoint, 127.0.0.1:its port) that the
/// measured routes point at. With <c>policies</c>, an IngressPolicy on every 10th Ingress (i % 10 == 5: response header,
/// CORS, rate limit, timeouts, IP allow list), as the render benchmark's synthetic cluster has.
/// </summary>
internal static class BenchWorld
{
    public const int Namespaces = 10;

    public static string Host(int i) => $"app-{i}.bench.example.com";

    public static string Namespace(int i) => $"team-{i % Namespaces}";

    public static string SliceName(int i) => $"app-{i}-abcde";

    public static readonly string[] SeedAddresses = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];

    public static void Seed(BenchCluster api, int ingresses, IReadOnlyList<TestBackend> backends, bool policies = false)
    {
        api.Upsert(Kube.IngressClass("portico"));
        if (policies)
        {
            api.ServePolicies();
        }

        for (int i = 0; i < ingresses; i++)
        {
            string ns = Namespace(i);
            string name = $"app-{i}";
            api.Upsert(Kube.Service(name, ns));
            api.Upsert(Kube.Slice(name, null, backends[i % backends.Count].Port, SeedAddresses, ns, SliceName(i)));
            var ingress = Kube.Ingress(name, ns)
                .WithPath(Host(i), "/", "Prefix", name, 80)
                .WithPath(Host(i), "/api", "Prefix", name, 80)
                .WithPath(Host(i), "/healthz", "Exact", name, 80);
            if (i % 10 == 0)
            {
                var (certificate, key) = Certificate(Host(i));
                api.Upsert(Kube.TlsSecret($"{name}-tls", certificate, key, ns));
                ingress.WithTls($"{name}-tls", Host(i));
            }

            api.Upsert(ingress);
            if (policies && i % 10 == 5)
            {
                api.Upsert(Policy(name, ns, i));
            }
        }

        foreach (var backend in backends)
        {
            api.Upsert(Kube.Service(ProbeService(backend), "default"));
            api.Upsert(Kube.Slice(ProbeService(backend), null, backend.Port, ["127.0.0.1"], "default", ProbeService(backend) + "-x"));
        }
    }

    public static string ProbeService(TestBackend backend) => "probe-" + backend.Name;

    /// <summary>An Ingress in "default" routing every path of <paramref name="host"/> to the probe Service of <paramref name="backend"/>.</summary>
    public static V1Ingress ProbeIngress(string name, string host, TestBackend backend) =>
        Kube.Ingress(name, "default").WithPath(host, "/", "Prefix", ProbeService(backend), 80);

    private static IngressPolicy Policy(string ingress, string ns, int i) => new()
    {
        Metadata = new V1ObjectMeta { Name = ingress + "-policy", NamespaceProperty = ns, Uid = $"00000000-0000-4000-8000-{i:D12}", CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Spec = new IngressPolicySpec
        {
            TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = ingress },
            ResponseHeaders = new HeaderModifier { Set = [new HeaderValue { Name = "X-Content-Type-Options", Value = "nosniff" }] },
            Cors = new CorsPolicy { AllowOrigins = [$"https://{ingress}.partner.example.org"], AllowMethods = ["GET", "POST"] },
            RateLimit = new RateLimitPolicy { RequestsPerSecond = 10 + (i % 7), Burst = 20 },
            Timeouts = new TimeoutPolicy { Connect = "2s", Idle = "30s" },
            IpAllowList = ["10.0.0.0/8", $"192.168.{i & 255}.0/24"],
        },
    };

    private static (string Certificate, string Key) Certificate(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
