using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Portico.Core.Building;
using Portico.Core.Kubernetes;
using Portico.Core.Kubernetes.Crds;
using Portico.Core.Model;
using Portico.Core.Proxies;
using Portico.Core.Rendering;
using Portico.Core.Rendering.Nginx;

namespace Portico.TestSupport;

/// <summary>
/// Random change sequences of every kind over a small cluster, rendered at each step by one renderer that keeps what
/// it made of unchanged hosts and by a fresh one: the two must give the same bytes (IncrementalRenderTests runs it
/// with fixed seeds and bounded steps in CI; `portico-bench incremental` runs it longer).
/// </summary>
public static class IncrementalRenderCheck
{
    private static readonly BuildOptions Options = new();

    // Builds and prints every server every time: what a remembering renderer must equal.
    private static readonly NginxRenderer Reference = new(TemplateSet.Load("nginx"), rememberServers: false);
    private static readonly string[] Hosts = ["a.test", "b.test", "c.test", "d.test", "*.wild.test", "e.test"];
    private static readonly string[] Services = ["web", "api", "blue", "green"];
    private static readonly TestCertificates.Pem Certificate = TestCertificates.Create("a.test", "b.test", "c.test");
    private static readonly TestCertificates.Pem OtherCertificate = TestCertificates.Create("a.test", "b.test", "c.test");

    /// <summary>What a run saw: steps whose output changed, and Ingress plans used again or made afresh.</summary>
    public sealed record Outcome(int Changed, int Reused, int Planned);

    /// <summary>
    /// Runs <paramref name="steps"/> random changes and compares at each step: the model built with the previous
    /// step's plans (ModelBuilder's memo) against a full build, and the remembering renderer's bytes against a fresh
    /// renderer's. Throws <see cref="InvalidOperationException"/> naming seed, step and the difference at the first one.
    /// </summary>
    public static Outcome Run(int seed, bool lua, int steps)
    {
        var random = new Random(seed);
        var store = new ObjectStore();
        foreach (var value in World())
        {
            store.Upsert(value);
        }

        var remembering = ProxyKind.Nginx.CreateRenderer();
        var settings = new ProxySettings { NginxLuaEndpoints = lua };
        string? last = null;
        int changed = 0, reused = 0, planned = 0;
        BuildMemo? memo = null;
        for (int step = 0; step < steps; step++)
        {
            Change(store, random);
            if (random.NextDouble() < 0.03)
            {
                // A setting every server block prints: blocks kept under the old one must not come back.
                settings = settings with { ListenHttp = ListenAddress.Parse(settings.ListenHttp.HostPort == "0.0.0.0:8080" ? "0.0.0.0:8081" : "0.0.0.0:8080") };
            }

            var snapshot = store.Snapshot();
            var (model, next) = ModelBuilder.Build(snapshot, Options, memo);
            var full = ModelBuilder.Build(snapshot, Options);
            if (!model.Equals(full))
            {
                throw new InvalidOperationException($"seed {seed} step {step}: the build that used {next.Reused} earlier Ingress plans differs from a full build: {ModelDifference(model, full)}");
            }

            memo = next;
            reused += next.Reused;
            planned += next.Planned;
            var kept = remembering.Render(model, settings);
            var fresh = Reference.Render(full, settings);
            Compare(Texts(kept), Texts(fresh), $"seed {seed} step {step} (Lua endpoints {(lua ? "on" : "off")})");
            if (kept.Identity != fresh.Identity)
            {
                throw new InvalidOperationException($"seed {seed} step {step}: identity {kept.Identity} differs from a fresh renderer's {fresh.Identity}");
            }

            changed += kept.Identity != last ? 1 : 0;
            last = kept.Identity;
        }

        return new Outcome(changed, reused, planned);
    }

    /// <summary>The first part of two models that differs, shown in short.</summary>
    private static string ModelDifference(ProxyModel a, ProxyModel b)
    {
        (string Part, object A, object B)[] parts =
        [
            ("virtual hosts", a.VirtualHosts, b.VirtualHosts), ("upstreams", a.Upstreams, b.Upstreams), ("certificates", a.Certificates, b.Certificates),
            ("default backend", a.DefaultBackend ?? (object)"none", b.DefaultBackend ?? (object)"none"), ("diagnostics", a.Diagnostics, b.Diagnostics),
            ("served", a.ServedIngresses, b.ServedIngresses), ("statuses", a.Statuses, b.Statuses), ("unserved", a.Unserved, b.Unserved),
        ];
        foreach (var (part, x, y) in parts)
        {
            if (!x.Equals(y))
            {
                return x is System.Collections.IEnumerable xs && y is System.Collections.IEnumerable ys
                    ? $"{part}: {Describe(xs.Cast<object>().Except(ys.Cast<object>()))} instead of {Describe(ys.Cast<object>().Except(xs.Cast<object>()))}"
                    : $"{part}: {x} instead of {y}";
            }
        }

        return "(equal parts, unequal models)";
    }

    private static string Describe(IEnumerable<object> items) => "[" + string.Join("; ", items.Take(3)) + "]";

    private static void Compare(List<(string Path, string Text, bool Private)> kept, List<(string Path, string Text, bool Private)> fresh, string context)
    {
        if (kept.Count != fresh.Count || !kept.Select(f => f.Path).SequenceEqual(fresh.Select(f => f.Path)))
        {
            throw new InvalidOperationException($"{context}: files {string.Join(",", kept.Select(f => f.Path))} differ from a fresh renderer's {string.Join(",", fresh.Select(f => f.Path))}");
        }

        foreach (var (a, b) in kept.Zip(fresh))
        {
            if (a != b)
            {
                int at = Enumerable.Range(0, Math.Min(a.Text.Length, b.Text.Length)).FirstOrDefault(i => a.Text[i] != b.Text[i], Math.Min(a.Text.Length, b.Text.Length));
                throw new InvalidOperationException($"{context}: {a.Path} differs from a fresh renderer's at character {at}: ...{a.Text[Math.Max(0, at - 80)..Math.Min(a.Text.Length, at + 80)]}... instead of ...{b.Text[Math.Max(0, at - 80)..Math.Min(b.Text.Length, at + 80)]}...");
            }
        }
    }

    private static List<(string Path, string Text, bool Private)> Texts(RenderedConfig config) =>
        [.. config.Files.Concat(config.Live).Select(f => (f.Path, Encoding.UTF8.GetString(f.Content), f.IsPrivate))];

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> World()
    {
        yield return Kube.IngressClass("portico");
        yield return Kube.TlsSecret("tls", Certificate.Certificate, Certificate.Key);
        foreach (string name in Services)
        {
            yield return Kube.Service(name, "default", ("http", 80), ("admin", 9000));
            yield return Kube.Slice(name, "http", 8080, ["10.0.0.1"], name: name + "-a");
        }

        for (int i = 0; i < 8; i++)
        {
            yield return RandomIngress(new Random(1000 + i), $"ing{i}");
        }
    }

    private static void Change(ObjectStore store, Random random)
    {
        double kind = random.NextDouble();
        string ingress = $"ing{random.Next(10)}";
        if (kind < 0.45)
        {
            store.Upsert(RandomIngress(random, ingress));
        }
        else if (kind < 0.55)
        {
            store.Delete(KnownKinds.Ingress, new NamespacedName("default", ingress));
        }
        else if (kind < 0.7)
        {
            string owner = Services[random.Next(Services.Length)];
            string[] pool = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];
            var addresses = pool.Where(_ => random.NextDouble() < 0.5).ToArray();
            store.Upsert(Kube.Slice(owner, "http", 8080, addresses, name: $"{owner}-{(char)('a' + random.Next(2))}"));
        }
        else if (kind < 0.77)
        {
            string service = Services[random.Next(Services.Length)];
            store.Upsert(random.NextDouble() < 0.5 ? Kube.Service(service, "default", ("http", 80)) : Kube.Service(service, "default", ("http", 80), ("admin", 9000)));
        }
        else if (kind < 0.95)
        {
            string name = $"policy{random.Next(4)}";
            if (random.NextDouble() < 0.25)
            {
                store.Delete(IngressPolicy.KubeKind, new NamespacedName("default", name));
            }
            else
            {
                store.Upsert(RandomPolicy(random, name, ingress));
            }
        }
        else if (kind < 0.97)
        {
            var pem = random.NextDouble() < 0.5 ? Certificate : OtherCertificate;
            store.Upsert(Kube.TlsSecret("tls", pem.Certificate, pem.Key));
        }
        else if (kind < 0.985)
        {
            // The htpasswd file of basic auth (annotations and policies): changed, broken, or gone.
            double what = random.NextDouble();
            if (what < 0.2)
            {
                store.Delete(KnownKinds.Secret, new NamespacedName("default", "htpasswd"));
            }
            else
            {
                store.Upsert(Htpasswd(what < 0.6 ? "alice" : what < 0.9 ? "bob" : "broken line"));
            }
        }
        else
        {
            // A backend that becomes an ExternalName Service, or comes back.
            string service = Services[random.Next(Services.Length)];
            store.Upsert(random.NextDouble() < 0.5 ? Kube.ExternalNameService(service, "backend.example.com") : Kube.Service(service, "default", ("http", 80), ("admin", 9000)));
        }
    }

    private static V1Ingress Reclassed(V1Ingress ingress, string className)
    {
        ingress.Spec.IngressClassName = className;
        return ingress;
    }

    private static V1Secret Htpasswd(string user) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = "htpasswd", NamespaceProperty = "default", Uid = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(user))[..16]).ToString(), CreationTimestamp = Kube.Epoch },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { ["auth"] = Encoding.UTF8.GetBytes(user.Contains(' ', StringComparison.Ordinal) ? user : user + ":{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n") },
    };

    private static V1Ingress RandomIngress(Random random, string name)
    {
        var ingress = Kube.Ingress(name, ageRank: random.Next(5));
        string[] types = ["Prefix", "Exact", "ImplementationSpecific"];
        string[] paths = ["/", "/api", "/api/", "/app", "/static/css", "/v1"];
        for (int i = random.Next(1, 4); i > 0; i--)
        {
            string host = Hosts[random.Next(Hosts.Length)];
            ingress = ingress.WithPath(host, paths[random.Next(paths.Length)], types[random.Next(types.Length)], Services[random.Next(Services.Length)], random.NextDouble() < 0.9 ? 80 : 81);
        }

        if (random.NextDouble() < 0.25)
        {
            ingress = ingress.WithTls("tls", Hosts[random.Next(3)]);
        }

        if (random.NextDouble() < 0.15)
        {
            ingress = ingress.WithAnnotation("nginx.ingress.kubernetes.io/whitelist-source-range", random.NextDouble() < 0.5 ? "10.0.0.0/8" : "192.168.0.0/16");
        }

        if (random.NextDouble() < 0.1)
        {
            ingress = ingress.WithAnnotation("nginx.ingress.kubernetes.io/proxy-body-size", random.NextDouble() < 0.5 ? "8m" : "1m");
        }

        if (random.NextDouble() < 0.1)
        {
            ingress = ingress.WithAnnotation("nginx.ingress.kubernetes.io/ssl-redirect", "false");
        }

        if (random.NextDouble() < 0.05)
        {
            ingress = ingress.WithDefaultBackend(Services[random.Next(Services.Length)], 80);
        }

        // What depends on other Ingresses (canaries on a main route, app-root and www redirects claiming hosts) or on
        // other objects (an htpasswd Secret), or is refused (access control that cannot be honoured, another class).
        double extra = random.NextDouble();
        ingress = extra switch
        {
            < 0.06 => ingress.WithAnnotation("nginx.ingress.kubernetes.io/canary", "true").WithAnnotation("nginx.ingress.kubernetes.io/canary-weight", random.NextDouble() < 0.5 ? "30" : "100"),
            < 0.10 => ingress.WithAnnotation("nginx.ingress.kubernetes.io/canary", "true").WithAnnotation("nginx.ingress.kubernetes.io/canary-by-header", "X-Canary"),
            < 0.15 => ingress.WithAnnotation("nginx.ingress.kubernetes.io/app-root", "/app"),
            < 0.20 => ingress.WithAnnotation("nginx.ingress.kubernetes.io/from-to-www-redirect", "true"),
            < 0.27 => ingress.WithAnnotation("nginx.ingress.kubernetes.io/auth-type", "basic").WithAnnotation("nginx.ingress.kubernetes.io/auth-secret", "htpasswd"),
            < 0.30 => ingress.WithAnnotation("nginx.ingress.kubernetes.io/whitelist-source-range", "not-a-range"),
            < 0.33 => Reclassed(ingress, "other"),
            _ => ingress,
        };

        return ingress;
    }

    private static IngressPolicy RandomPolicy(Random random, string name, string target)
    {
        var spec = new IngressPolicySpec { TargetRef = new PolicyTargetRef { Group = "networking.k8s.io", Kind = "Ingress", Name = target } };
        switch (random.Next(11))
        {
            case 8:
                spec.BasicAuth = new BasicAuthPolicy { SecretRef = new LocalObjectName { Name = "htpasswd" }, Realm = "r" };
                break;
            case 9:
                spec.ExternalAuth = new ExternalAuthPolicy { Service = new ServicePortRef { Name = Services[random.Next(Services.Length)], Port = random.NextDouble() < 0.8 ? 80 : 81 }, Path = "/check" };
                break;
            case 10:
                // Refused access control: the target's routes answer 403.
                spec.IpAllowList = ["not-a-range"];
                break;
            case 4:
                spec.Cors = new CorsPolicy { AllowOrigins = [random.NextDouble() < 0.5 ? "https://app.test" : "https://*.app.test"], AllowMethods = ["GET"], AllowCredentials = random.NextDouble() < 0.5 };
                break;
            case 5:
                spec.SessionAffinity = new SessionAffinityPolicy { Cookie = new AffinityCookie { Name = random.NextDouble() < 0.5 ? "route" : "sticky", Ttl = "1h" } };
                break;
            case 6:
                spec.RequestHeaders = new HeaderModifier { Add = [new HeaderValue { Name = "X-Tenant", Value = random.NextDouble() < 0.5 ? "a" : "b" }] };
                break;
            case 7:
                spec.LoadBalancing = new LoadBalancingPolicy { Algorithm = "RequestHash", HashOn = new HashOn { Cookie = random.NextDouble() < 0.5 ? "user" : "session" } };
                break;
            case 0:
                spec.RateLimit = new RateLimitPolicy { RequestsPerSecond = random.Next(1, 4) * 10, Burst = 5 };
                if (random.NextDouble() < 0.5)
                {
                    // What nginx enforces beside what the Lua applies from the live file (ADR 0016); Cache-Control
                    // keeps the headers in nginx.conf.
                    spec.ResponseHeaders = new HeaderModifier { Set = [new HeaderValue { Name = random.NextDouble() < 0.5 ? "Cache-Control" : "X-Limited", Value = "no-store" }] };
                    spec.Timeouts = new TimeoutPolicy { Request = random.NextDouble() < 0.5 ? "5s" : "9s" };
                }

                break;
            case 1:
                spec.TrafficSplit =
                [
                    new TrafficSplitBackend { Service = new ServicePortRef { Name = "blue", Port = 80 }, Weight = random.Next(1, 99) },
                    new TrafficSplitBackend { Service = new ServicePortRef { Name = "green", Port = 80 }, Weight = 10 },
                ];
                break;
            case 2:
                spec.IpAllowList = [random.NextDouble() < 0.5 ? "10.0.0.0/8" : "172.16.0.0/12"];
                break;
            default:
                spec.ResponseHeaders = new HeaderModifier { Set = [new HeaderValue { Name = "X-Served-By", Value = random.NextDouble() < 0.5 ? "portico" : "edge" }] };
                if (random.NextDouble() < 0.5)
                {
                    spec.Timeouts = new TimeoutPolicy { Connect = random.NextDouble() < 0.5 ? "1s" : "2s", Idle = "30s" };
                }

                break;
        }

        return new IngressPolicy
        {
            ApiVersion = IngressPolicy.KubeGroup + "/" + IngressPolicy.KubeApiVersion,
            Kind = IngressPolicy.KubeKind,
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(name))[..16]).ToString(), CreationTimestamp = Kube.Epoch },
            Spec = spec,
        };
    }
}
