using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Portico.Bench;

/// <summary>
/// Writes a synthetic cluster as one multi-document YAML file: N Ingresses in 50 namespaces, 3 paths each, one
/// Service per Ingress with an EndpointSlice of 3 ready endpoints, TLS (own Secret) on every 10th Ingress and, with
/// <c>policies</c>, an IngressPolicy on every 10th other one (headers, CORS, rate limit, timeouts, an IP allow list).
/// Deterministic but for the TLS keys, which are made fresh (EC P-256) per run.
/// </summary>
internal static class SyntheticCluster
{
    public static void Write(string path, int ingresses, bool policies = false)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.Write("apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: portico\nspec:\n  controller: portico.dev/ingress-controller\n");
        for (int i = 0; i < ingresses; i++)
        {
            string ns = $"team-{i % 50}";
            string name = $"app-{i}";
            string host = $"app-{i}.bench.example.com";
            bool tls = i % 10 == 0;
            writer.Write($"""
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: {name}
                  namespace: {ns}
                  creationTimestamp: "2026-01-01T00:00:00Z"
                spec:
                  ingressClassName: portico

                """);
            if (tls)
            {
                writer.Write($"  tls:\n    - hosts: [{host}]\n      secretName: {name}-tls\n");
            }

            writer.Write($"""
                  rules:
                    - host: {host}
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend: {"{"}service: {"{"}name: {name}, port: {"{"}number: 80{"}"}{"}"}{"}"}
                          - path: /api
                            pathType: Prefix
                            backend: {"{"}service: {"{"}name: {name}, port: {"{"}number: 80{"}"}{"}"}{"}"}
                          - path: /healthz
                            pathType: Exact
                            backend: {"{"}service: {"{"}name: {name}, port: {"{"}number: 80{"}"}{"}"}{"}"}
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: {name}
                  namespace: {ns}
                spec:
                  ports:
                    - name: http
                      port: 80
                      targetPort: 8080
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: {name}-abcde
                  namespace: {ns}
                  labels:
                    kubernetes.io/service-name: {name}
                addressType: IPv4
                ports:
                  - name: http
                    port: 8080
                endpoints:
                  - addresses: ["10.{(i >> 8) & 255}.{i & 255}.1"]
                    conditions: {"{"}ready: true{"}"}
                  - addresses: ["10.{(i >> 8) & 255}.{i & 255}.2"]
                    conditions: {"{"}ready: true{"}"}
                  - addresses: ["10.{(i >> 8) & 255}.{i & 255}.3"]
                    conditions: {"{"}ready: true{"}"}

                """);
            if (policies && i % 10 == 5)
            {
                writer.Write($"""
                    ---
                    apiVersion: portico.dev/v1alpha1
                    kind: IngressPolicy
                    metadata:
                      name: {name}-policy
                      namespace: {ns}
                      creationTimestamp: "2026-01-01T00:00:00Z"
                    spec:
                      targetRef: {"{"}group: networking.k8s.io, kind: Ingress, name: {name}{"}"}
                      responseHeaders:
                        set: [{"{"}name: X-Content-Type-Options, value: nosniff{"}"}]
                      cors:
                        allowOrigins: ["https://{name}.partner.example.org"]
                        allowMethods: [GET, POST]
                      rateLimit: {"{"}requestsPerSecond: {10 + (i % 7)}, burst: 20{"}"}
                      timeouts: {"{"}connect: 2s, idle: 30s{"}"}
                      ipAllowList: ["10.0.0.0/8", "192.168.{i & 255}.0/24"]

                    """);
            }

            if (tls)
            {
                var (certificate, key) = Certificate(host);
                writer.Write($"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-tls\n  namespace: {ns}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {certificate}\n  tls.key: {key}\n");
            }
        }
    }

    private static (string Certificate, string Key) Certificate(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return (Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n")), Convert.ToBase64String(Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n")));
    }
}
