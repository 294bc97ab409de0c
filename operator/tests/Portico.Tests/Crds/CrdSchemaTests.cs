using System.Collections;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Portico.Core.Kubernetes.Crds;
using Portico.TestSupport;
using YamlDotNet.Serialization;

namespace Portico.Tests.Crds;

/// <summary>
/// crds/ and the C# types agree field by field (names, types, nesting), and each CRD is a structural schema as the
/// API server requires (every node typed, no types under anyOf, metadata left alone), so neither can drift.
/// </summary>
public sealed class CrdSchemaTests
{
    private static string CrdPath => RepositoryPaths.Combine("crds/portico.dev_ingresspolicies.yaml");

    private static Dictionary<object, object> Version()
    {
        var crd = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(CrdPath))!;
        var spec = Map(crd["spec"]);
        Assert.That(Map(spec["names"])["kind"], Is.EqualTo(IngressPolicy.KubeKind));
        Assert.That(Map(spec["names"])["plural"], Is.EqualTo(IngressPolicy.KubePluralName));
        Assert.That(spec["group"], Is.EqualTo(IngressPolicy.KubeGroup));
        var version = Map(((IList)spec["versions"]).Cast<object>().Single());
        Assert.That(version["name"], Is.EqualTo(IngressPolicy.KubeApiVersion));
        return version;
    }

    private static Dictionary<object, object> Schema() => Map(Map(Version()["schema"])["openAPIV3Schema"]);

    [Test]
    public void The_spec_schema_and_the_CSharp_types_have_the_same_fields_and_types()
    {
        var problems = new List<string>();
        Compare(typeof(IngressPolicySpec), Map(Map(Schema()["properties"])["spec"]), "spec", problems);
        Compare(typeof(IngressPolicyStatus), Map(Map(Schema()["properties"])["status"]), "status", problems);
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void The_CRD_is_a_structural_schema_with_a_status_subresource()
    {
        var problems = new List<string>();
        Structural(Schema(), "openAPIV3Schema", problems, isRoot: true);
        Assert.That(problems, Is.Empty);
        Assert.That(Map(Version()["subresources"]).ContainsKey("status"));
    }

    [Test]
    public void A_policy_deserializes_into_the_types_with_the_API_machinery()
    {
        string json = """
            {"apiVersion":"portico.dev/v1alpha1","kind":"IngressPolicy","metadata":{"name":"p","namespace":"shop"},
             "spec":{"targetRef":{"group":"networking.k8s.io","kind":"Ingress","name":"web"},
                     "requestHeaders":{"set":[{"name":"X-A","value":"1"}],"remove":["X-B"]},
                     "retries":{"attempts":2,"on":["5xx"]},"maxRequestBodySize":"8m",
                     "loadBalancing":{"algorithm":"RequestHash","hashOn":{"sourceIP":true}},
                     "trafficSplit":[{"service":{"name":"canary","port":80},"weight":10}],"httpsRedirect":true}}
            """;
        var policy = KubernetesJson.Deserialize<IngressPolicy>(json);
        Assert.That(policy.Spec.TargetRef!.Name, Is.EqualTo("web"));
        Assert.That(policy.Spec.RequestHeaders!.Set![0].Value, Is.EqualTo("1"));
        Assert.That(policy.Spec.Retries!.On, Is.EqualTo(new[] { "5xx" }));
        Assert.That(policy.Spec.MaxRequestBodySize!.Value, Is.EqualTo("8m"));
        Assert.That(policy.Spec.LoadBalancing!.HashOn!.SourceIp, Is.True);
        Assert.That(policy.Spec.TrafficSplit![0].Service!.Port, Is.EqualTo(80));
        Assert.That(policy.Spec.HttpsRedirect, Is.True);
    }

    private static void Compare(Type type, Dictionary<object, object> schema, string path, List<string> problems)
    {
        var properties = schema.TryGetValue("properties", out var p) ? Map(p) : [];
        var fields = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(f => f.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? f.Name, StringComparer.Ordinal);
        foreach (string name in properties.Keys.Cast<string>().Except(fields.Keys))
        {
            problems.Add($"{path}.{name}: in the CRD, not in {type.Name}");
        }

        foreach (var (name, field) in fields)
        {
            if (!properties.TryGetValue(name, out var node))
            {
                problems.Add($"{path}.{name}: in {type.Name}, not in the CRD");
                continue;
            }

            CompareValue(field.PropertyType, Map(node), $"{path}.{name}", problems);
        }
    }

    private static void CompareValue(Type type, Dictionary<object, object> schema, string path, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        string? declared = schema.TryGetValue("type", out var t) ? (string)t : null;
        if (type == typeof(IntOrString))
        {
            Check(schema.TryGetValue("x-kubernetes-int-or-string", out var flag) && flag is "true", "x-kubernetes-int-or-string");
        }
        else if (type == typeof(string))
        {
            Check(declared == "string", "string");
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            Check(declared == "integer", "integer");
        }
        else if (type == typeof(bool))
        {
            Check(declared == "boolean", "boolean");
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>))
        {
            Check(declared == "array", "array");
            if (declared == "array")
            {
                CompareValue(type.GetGenericArguments()[0], Map(schema["items"]), path + "[]", problems);
            }
        }
        else if (type == typeof(V1Condition))
        {
            Check(declared == "object", "object");
            Compare(typeof(ConditionShape), schema, path, problems);
        }
        else
        {
            Check(declared == "object", "object");
            Compare(type, schema, path, problems);
        }

        void Check(bool ok, string expected)
        {
            if (!ok)
            {
                problems.Add($"{path}: {type.Name} needs {expected} in the CRD, which says {declared ?? "nothing"}");
            }
        }
    }

    private static void Structural(Dictionary<object, object> schema, string path, List<string> problems, bool isRoot = false)
    {
        bool intOrString = schema.ContainsKey("x-kubernetes-int-or-string");
        if (!schema.ContainsKey("type") && !intOrString && !schema.ContainsKey("x-kubernetes-preserve-unknown-fields"))
        {
            problems.Add($"{path}: no type");
        }

        foreach (string junction in new[] { "anyOf", "allOf", "oneOf" }.Where(schema.ContainsKey))
        {
            foreach (var branch in ((IList)schema[junction]).Cast<object>().Select(Map))
            {
                if (!intOrString && branch.ContainsKey("type"))
                {
                    problems.Add($"{path}.{junction}: a type under a junction is not structural");
                }

                if (branch.Keys.Cast<string>().Any(k => k is "default" or "description" or "additionalProperties" or "nullable"))
                {
                    problems.Add($"{path}.{junction}: default, description, additionalProperties or nullable under a junction");
                }
            }
        }

        if (schema.ContainsKey("properties") && schema.ContainsKey("additionalProperties"))
        {
            problems.Add($"{path}: properties and additionalProperties together");
        }

        if (isRoot && schema.TryGetValue("properties", out var rootProperties) && Map(rootProperties).TryGetValue("metadata", out var metadata) && Map(metadata).Keys.Cast<string>().Any(k => k != "type"))
        {
            problems.Add($"{path}.metadata: only \"type: object\" is allowed there");
        }

        if (schema.TryGetValue("properties", out var properties))
        {
            foreach (var (name, node) in Map(properties))
            {
                Structural(Map(node), $"{path}.{name}", problems);
            }
        }

        if (schema.TryGetValue("items", out var items))
        {
            Structural(Map(items), path + "[]", problems);
        }

        foreach (string list in new[] { "required", "enum" }.Where(schema.ContainsKey))
        {
            if (schema[list] is not IList { Count: > 0 })
            {
                problems.Add($"{path}.{list}: must be a non-empty list");
            }
        }

        if (schema.TryGetValue("required", out var required) && schema.TryGetValue("properties", out var declared))
        {
            foreach (string name in ((IList)required).Cast<string>().Where(n => !Map(declared).ContainsKey(n)))
            {
                problems.Add($"{path}.required: {name} is not a property");
            }
        }
    }

    private static Dictionary<object, object> Map(object node) => (Dictionary<object, object>)node;

    /// <summary>The fields of metav1.Condition as the CRD must list them (V1Condition's own names).</summary>
    private sealed class ConditionShape
    {
        [JsonPropertyName("type")]
        public string? Type { get; set; }

        [JsonPropertyName("status")]
        public string? Status { get; set; }

        [JsonPropertyName("observedGeneration")]
        public long? ObservedGeneration { get; set; }

        [JsonPropertyName("lastTransitionTime")]
        public string? LastTransitionTime { get; set; }

        [JsonPropertyName("reason")]
        public string? Reason { get; set; }

        [JsonPropertyName("message")]
        public string? Message { get; set; }
    }
}
