using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.TestSupport;

/// <summary>Small builders for Kubernetes objects, so a test states only what it is about.</summary>
public static class Kube
{
    public static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static V1Ingress Ingress(string name, string ns = "default", int ageRank = 0, string? className = "portico") => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, CreationTimestamp = Epoch.AddMinutes(ageRank) },
        Spec = new V1IngressSpec { IngressClassName = className, Rules = [] },
    };

    /// <summary>Adds a path to the rule for <paramref name="host"/> (creating the rule), backed by service:port.</summary>
    public static V1Ingress WithPath(this V1Ingress ingress, string? host, string? path, string? pathType, string service, int port)
        => ingress.WithPath(host, path, pathType, Backend(service, port));

    public static V1Ingress WithNamedPortPath(this V1Ingress ingress, string? host, string path, string pathType, string service, string portName)
        => ingress.WithPath(host, path, pathType, new V1IngressBackend { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Name = portName } } });

    public static V1Ingress WithPath(this V1Ingress ingress, string? host, string? path, string? pathType, V1IngressBackend backend)
    {
        ingress.Spec.Rules ??= [];
        var rule = ingress.Spec.Rules.FirstOrDefault(r => r.Host == host);
        if (rule is null)
        {
            rule = new V1IngressRule { Host = host, Http = new V1HTTPIngressRuleValue { Paths = [] } };
            ingress.Spec.Rules.Add(rule);
        }

        rule.Http.Paths.Add(new V1HTTPIngressPath { Path = path, PathType = pathType, Backend = backend });
        return ingress;
    }

    public static V1Ingress WithDefaultBackend(this V1Ingress ingress, string service, int port)
    {
        ingress.Spec.DefaultBackend = Backend(service, port);
        return ingress;
    }

    public static V1Ingress WithTls(this V1Ingress ingress, string? secretName, params string[] hosts)
    {
        ingress.Spec.Tls ??= [];
        ingress.Spec.Tls.Add(new V1IngressTLS { SecretName = secretName, Hosts = hosts.Length == 0 ? null : [.. hosts] });
        return ingress;
    }

    public static V1Ingress WithAnnotation(this V1Ingress ingress, string key, string value)
    {
        ingress.Metadata.Annotations ??= new Dictionary<string, string>();
        ingress.Metadata.Annotations[key] = value;
        return ingress;
    }

    public static V1IngressBackend Backend(string service, int port) =>
        new() { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Number = port } } };

    public static V1IngressClass IngressClass(string name, string controller = "portico.dev/ingress-controller", bool isDefault = false) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "IngressClass",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = isDefault ? new Dictionary<string, string> { ["ingressclass.kubernetes.io/is-default-class"] = "true" } : null,
        },
        Spec = new V1IngressClassSpec { Controller = controller },
    };

    /// <summary>A ClusterIP Service; ports as (name, port), name null for an unnamed port.</summary>
    public static V1Service Service(string name, string ns = "default", params (string? Name, int Port)[] ports) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { Ports = [.. (ports.Length == 0 ? [(null, 80)] : ports).Select(p => new V1ServicePort { Name = p.Name, Port = p.Port })] },
    };

    public static V1Service ExternalNameService(string name, string externalName, string ns = "default", int port = 80) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = externalName, Ports = [new V1ServicePort { Port = port }] },
    };

    /// <summary>An EndpointSlice for <paramref name="service"/> whose port is named <paramref name="portName"/>; addresses ready unless listed in <paramref name="notReady"/>.</summary>
    public static V1EndpointSlice Slice(string service, string? portName, int port, string[] addresses, string ns = "default", string? name = null, string[]? notReady = null, string addressType = "IPv4") => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            Name = name ?? service + "-" + (portName ?? "x"),
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service },
        },
        AddressType = addressType,
        Ports = [new Discoveryv1EndpointPort { Name = portName, Port = port }],
        Endpoints = [.. addresses.Select(a => new V1Endpoint { Addresses = [a], Conditions = new V1EndpointConditions { Ready = true } }),
            .. (notReady ?? []).Select(a => new V1Endpoint { Addresses = [a], Conditions = new V1EndpointConditions { Ready = false } })],
    };

    public static V1Secret TlsSecret(string name, string certificatePem, string keyPem, string ns = "default", string type = "kubernetes.io/tls") => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Type = type,
        Data = new Dictionary<string, byte[]>
        {
            ["tls.crt"] = System.Text.Encoding.ASCII.GetBytes(certificatePem),
            ["tls.key"] = System.Text.Encoding.ASCII.GetBytes(keyPem),
        },
    };

    public static ClusterSnapshot Snapshot(params IKubernetesObject<V1ObjectMeta>[] objects)
    {
        var store = new ObjectStore();
        foreach (var value in objects)
        {
            store.Upsert(value);
        }

        return store.Snapshot();
    }
}
