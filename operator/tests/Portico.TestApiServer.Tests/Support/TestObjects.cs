using k8s.Models;

namespace Portico.TestApiServer.Tests.Support;

/// <summary>Small builders for the objects the tests write, so each test states only what it is about.</summary>
public static class TestObjects
{
    public static V1Ingress Ingress(string name, string ns = "default", string host = "example.com", IDictionary<string, string>? labels = null) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Spec = new V1IngressSpec
        {
            IngressClassName = "portico",
            Rules =
            [
                new V1IngressRule
                {
                    Host = host,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths =
                        [
                            new V1HTTPIngressPath
                            {
                                Path = "/",
                                PathType = "Prefix",
                                Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = "web", Port = new V1ServiceBackendPort { Number = 80 } } },
                            },
                        ],
                    },
                },
            ],
        },
    };

    public static V1IngressStatus LoadBalancer(string ip) => new()
    {
        LoadBalancer = new V1IngressLoadBalancerStatus { Ingress = [new V1IngressLoadBalancerIngress { Ip = ip }] },
    };

    public static V1IngressClass IngressClass(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1IngressClassSpec { Controller = "portico.dev/ingress-controller" },
    };

    public static V1Service Service(string name, string ns = "default") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }], Selector = new Dictionary<string, string> { ["app"] = name } },
    };

    public static V1Secret Secret(string name, string ns = "default", string type = "Opaque") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Type = type,
        Data = type == "kubernetes.io/tls"
            ? new Dictionary<string, byte[]> { ["tls.crt"] = "cert"u8.ToArray(), ["tls.key"] = "key"u8.ToArray() }
            : new Dictionary<string, byte[]> { ["password"] = "secret"u8.ToArray() },
    };

    public static V1EndpointSlice Slice(string name, string service, string ns = "default", params string[] addresses) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Endpoints = addresses.Select(a => new V1Endpoint { Addresses = [a], Conditions = new V1EndpointConditions { Ready = true } }).ToList(),
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
    };

    public static V1Lease Lease(string name, string ns = "default", string holder = "a") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1LeaseSpec { HolderIdentity = holder, LeaseDurationSeconds = 15 },
    };

    public static V1Namespace Namespace(string name) => new() { Metadata = new V1ObjectMeta { Name = name } };

    public static Corev1Event CoreEvent(string name, string ns, string involvedName) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        InvolvedObject = new V1ObjectReference { ApiVersion = "networking.k8s.io/v1", Kind = "Ingress", Name = involvedName, NamespaceProperty = ns },
        Reason = "Synced",
        Message = "configuration applied",
        Type = "Normal",
        Source = new V1EventSource { Component = "portico" },
    };

    public static Eventsv1Event Event(string name, string ns, string regardingName) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        EventTime = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        Regarding = new V1ObjectReference { ApiVersion = "networking.k8s.io/v1", Kind = "Ingress", Name = regardingName, NamespaceProperty = ns },
        Reason = "Synced",
        Note = "configuration applied",
        Type = "Normal",
        Action = "Render",
        ReportingController = "portico.dev/ingress-controller",
        ReportingInstance = "portico-0",
    };
}
