using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Portico.TestApiServer.Resources;

/// <summary>The built-in resources every test API server serves (each instance adds custom ones in <see cref="ServedResources"/>).</summary>
internal static class ResourceRegistry
{
    public static ResourceDefinition Ingresses { get; } = Define<V1Ingress>("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", namespaced: true) with
    {
        HasSpec = true,
        HasStatusSubresource = true,
        ShortNames = ["ing"],
        Validate = ResourceValidation.Ingress,
    };

    public static ResourceDefinition IngressClasses { get; } = Define<V1IngressClass>("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", namespaced: false) with
    {
        HasSpec = true,
    };

    public static ResourceDefinition Services { get; } = Define<V1Service>("", "v1", "services", "service", "Service", namespaced: true) with
    {
        HasSpec = true,
        HasStatusSubresource = true,
        ReturnsObjectOnDelete = true,
        ShortNames = ["svc"],
        NameRule = NameRule.Dns1035Label,
        ApplyDefaults = ServiceDefaults,
        FieldLabels = new Dictionary<string, string[]>
        {
            ["spec.clusterIP"] = ["spec", "clusterIP"],
            ["spec.type"] = ["spec", "type"],
        },
    };

    public static ResourceDefinition Secrets { get; } = Define<V1Secret>("", "v1", "secrets", "secret", "Secret", namespaced: true) with
    {
        FieldLabels = new Dictionary<string, string[]> { ["type"] = ["type"] },
        Validate = ResourceValidation.Secret,
    };

    public static ResourceDefinition CoreEvents { get; } = Define<Corev1Event>("", "v1", "events", "event", "Event", namespaced: true) with
    {
        AllowCreateOnUpdate = true,
        ShortNames = ["ev"],
        FieldLabels = new Dictionary<string, string[]>
        {
            ["involvedObject.kind"] = ["involvedObject", "kind"],
            ["involvedObject.namespace"] = ["involvedObject", "namespace"],
            ["involvedObject.name"] = ["involvedObject", "name"],
            ["involvedObject.uid"] = ["involvedObject", "uid"],
            ["involvedObject.apiVersion"] = ["involvedObject", "apiVersion"],
            ["involvedObject.resourceVersion"] = ["involvedObject", "resourceVersion"],
            ["involvedObject.fieldPath"] = ["involvedObject", "fieldPath"],
            ["reason"] = ["reason"],
            ["reportingComponent"] = ["reportingComponent"],
            ["source"] = ["source", "component"],
            ["type"] = ["type"],
        },
    };

    public static ResourceDefinition Events { get; } = Define<Eventsv1Event>("events.k8s.io", "v1", "events", "event", "Event", namespaced: true) with
    {
        AllowCreateOnUpdate = true,
        ShortNames = ["ev"],
        FieldLabels = new Dictionary<string, string[]>
        {
            ["regarding.kind"] = ["regarding", "kind"],
            ["regarding.namespace"] = ["regarding", "namespace"],
            ["regarding.name"] = ["regarding", "name"],
            ["regarding.uid"] = ["regarding", "uid"],
            ["reason"] = ["reason"],
            ["reportingController"] = ["reportingController"],
            ["type"] = ["type"],
        },
    };

    public static ResourceDefinition Namespaces { get; } = Define<V1Namespace>("", "v1", "namespaces", "namespace", "Namespace", namespaced: false) with
    {
        HasSpec = true,
        HasStatusSubresource = true,
        ShortNames = ["ns"],
        NameRule = NameRule.Dns1123Label,
        ApplyDefaults = body => body["status"] = new JsonObject { ["phase"] = "Active" },
        FieldLabels = new Dictionary<string, string[]> { ["status.phase"] = ["status", "phase"] },
    };

    public static ResourceDefinition EndpointSlices { get; } = Define<V1EndpointSlice>("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", namespaced: true);

    public static ResourceDefinition Leases { get; } = Define<V1Lease>("coordination.k8s.io", "v1", "leases", "lease", "Lease", namespaced: true) with
    {
        HasSpec = true,
    };

    /// <summary>A test-only custom resource with a status subresource (see <see cref="TestWidget"/>).</summary>
    public static ResourceDefinition TestWidgets { get; } = Define<TestWidget>(TestWidget.GroupName, TestWidget.VersionName, TestWidget.PluralName, "testwidget", TestWidget.KindName, namespaced: true) with
    {
        HasSpec = true,
        HasStatusSubresource = true,
    };

    public static IReadOnlyList<ResourceDefinition> All { get; } =
        [Ingresses, IngressClasses, Services, Secrets, CoreEvents, Namespaces, EndpointSlices, Leases, Events, TestWidgets];

    /// <summary>A custom resource as a CRD with a spec (and, when asked, the status subresource) would define it.</summary>
    public static ResourceDefinition CustomResource<T>(string group, string version, string plural, string kind, bool namespaced, bool statusSubresource = false) =>
        Define<T>(group, version, plural, kind.ToLowerInvariant(), kind, namespaced) with { HasSpec = true, HasStatusSubresource = statusSubresource };

    private static ResourceDefinition Define<T>(string group, string version, string plural, string singular, string kind, bool namespaced) => new()
    {
        Group = group,
        Version = version,
        Plural = plural,
        Singular = singular,
        Kind = kind,
        Namespaced = namespaced,
        ModelType = typeof(T),
        Normalize = RoundTrip<T>,
        ToModel = json => KubernetesJson.Deserialize<T>(json)!,
    };

    /// <summary>
    /// Deserialize into the client's model and serialize back: unknown fields disappear (as the real server drops
    /// them) and every value takes exactly the shape the client will read, so nothing served can fail to parse.
    /// </summary>
    private static JsonElement RoundTrip<T>(JsonNode node)
    {
        var model = KubernetesJson.Deserialize<T>(node);
        using var document = JsonDocument.Parse(KubernetesJson.Serialize(model));
        return document.RootElement.Clone();
    }

    /// <summary>The defaults the real Service registry applies that an ingress controller may read.</summary>
    private static void ServiceDefaults(JsonObject service)
    {
        if (service["spec"] is not JsonObject spec)
        {
            spec = [];
            service["spec"] = spec;
        }

        var type = spec["type"]?.GetValue<string>() ?? "ClusterIP";
        spec["type"] = type;
        spec["sessionAffinity"] ??= "None";
        if (type != "ExternalName" && spec["clusterIP"] is null)
        {
            // No allocator: an address derived from the name is stable across runs and good enough for tests.
            var hash = 2166136261u; // FNV-1a: string.GetHashCode is randomized per process
            foreach (var c in $"{service["metadata"]?["namespace"]}/{service["metadata"]?["name"]}")
            {
                hash = (hash ^ c) * 16777619;
            }

            var address = string.Create(CultureInfo.InvariantCulture, $"10.96.{(hash >> 8) & 0xff}.{(hash & 0xfe) | 1}");
            spec["clusterIP"] = address;
            spec["clusterIPs"] = new JsonArray(address);
        }

        if (spec["ports"] is JsonArray ports)
        {
            foreach (var port in ports.OfType<JsonObject>())
            {
                port["protocol"] ??= "TCP";
                if (port["targetPort"] is null && port["port"] is JsonNode number)
                {
                    port["targetPort"] = number.DeepClone();
                }
            }
        }
    }
}
