using Portico.Core.Building;
using Portico.Core.Manifests;
using Portico.Core.Model;
using Portico.Core.Offline;
using Portico.Core.Proxies;
using Portico.Core.Rendering;

namespace Portico.Envoy.Tests;

/// <summary>What Envoy cannot enforce is said, never silent: ingress-nginx limit-connections gets a warning naming the annotation (nginx enforces it).</summary>
public sealed class EnvoyLimitationTests
{
    private const string Manifests = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: limited
          namespace: default
          annotations: {nginx.ingress.kubernetes.io/limit-connections: "5"}
        spec:
          ingressClassName: portico
          rules: [{host: a.test, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
        addressType: IPv4
        ports: [{port: 8080}]
        endpoints: [{addresses: [10.0.0.1]}]
        """;

    private static System.Collections.Immutable.ImmutableArray<Diagnostic> DiagnosticsFor(ProxyKind proxy, string manifests = Manifests) =>
        OfflinePipeline.Render(ManifestReader.ReadString(manifests), new BuildOptions(), new ProxySettings(), proxy.CreateRenderer()).Diagnostics;

    [Test]
    public void Envoy_warns_about_buffering_turned_on_or_sized_but_not_off_which_is_how_it_streams()
    {
        string manifests = Manifests.Replace(
            "{nginx.ingress.kubernetes.io/limit-connections: \"5\"}",
            "{nginx.ingress.kubernetes.io/proxy-buffering: \"on\", nginx.ingress.kubernetes.io/proxy-buffer-size: 8k, nginx.ingress.kubernetes.io/proxy-request-buffering: \"off\", nginx.ingress.kubernetes.io/proxy-read-timeout: \"30\"}",
            StringComparison.Ordinal);
        Assert.That(manifests, Does.Contain("proxy-buffering"));
        var envoy = DiagnosticsFor(ProxyKind.Envoy, manifests).Where(d => d.Severity == Severity.Warning).Select(d => d.Field);
        Assert.That(envoy, Is.EquivalentTo(new[]
        {
            "metadata.annotations[nginx.ingress.kubernetes.io/proxy-buffering]",
            "metadata.annotations[nginx.ingress.kubernetes.io/proxy-buffer-size]",
        }));
        Assert.That(DiagnosticsFor(ProxyKind.Nginx, manifests), Has.None.Matches<Diagnostic>(d => d.Severity == Severity.Warning));
    }

    [Test]
    public void Envoy_warns_that_it_does_not_enforce_limit_connections_and_nginx_does_not()
    {
        var warning = DiagnosticsFor(ProxyKind.Envoy).Single(d => d.Field.Contains("limit-connections", StringComparison.Ordinal));
        Assert.That((warning.Severity, warning.Target.Name, warning.Field), Is.EqualTo((Severity.Warning, "limited", "metadata.annotations[nginx.ingress.kubernetes.io/limit-connections]")));
        Assert.That(warning.Message, Does.Contain("not enforced by the Envoy proxy"));
        Assert.That(DiagnosticsFor(ProxyKind.Nginx), Has.None.Matches<Diagnostic>(d => d.Field.Contains("limit-connections", StringComparison.Ordinal)));
    }
}
