using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Portico.Core.Manifests;

namespace Portico.Tests.Deploy;

/// <summary>
/// The objects of a built kustomization, each read strictly into KubernetesClient's model for its apiVersion and
/// kind: the model, serialized again, must equal the input (a field the model does not know would be dropped and
/// show as a difference, and so would a wrong type). Kinds without a model (the ServiceMonitor) stay JSON only.
/// </summary>
internal sealed class DeployObjects
{
    /// <summary>apiVersion and kind → the model type, from KubernetesClient's [KubernetesEntity] attributes.</summary>
    private static readonly FrozenDictionary<(string ApiVersion, string Kind), Type> Models = typeof(V1Pod).Assembly.GetTypes()
        .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(e => e.Entity is not null && e.Type.Name.StartsWith('V'))
        .GroupBy(e => (e.Entity!.Group.Length == 0 ? e.Entity.ApiVersion : $"{e.Entity.Group}/{e.Entity.ApiVersion}", e.Entity.Kind))
        .ToFrozenDictionary(g => g.Key, g => g.First().Type);

    private static readonly MethodInfo DeserializeString = typeof(KubernetesJson).GetMethods()
        .Single(m => m.Name == nameof(KubernetesJson.Deserialize) && m.GetParameters() is [{ ParameterType: var p }, _] && p == typeof(string));

    /// <summary>The kinds deliberately kept without a model: custom resources of other projects.</summary>
    public static readonly FrozenSet<(string ApiVersion, string Kind)> WithoutModel = new[] { ("monitoring.coreos.com/v1", "ServiceMonitor") }.ToFrozenSet();

    private DeployObjects(string variant, IReadOnlyList<JsonObject> json, IReadOnlyList<object> typed)
    {
        Variant = variant;
        Json = json;
        Typed = typed;
    }

    public string Variant { get; }

    /// <summary>Every object, as JSON, in kustomize's output order.</summary>
    public IReadOnlyList<JsonObject> Json { get; }

    /// <summary>Every object that has a model, as that model.</summary>
    public IReadOnlyList<object> Typed { get; }

    public static DeployObjects Load(string variant)
    {
        string yaml = Kustomize.Build(variant);
        var json = YamlJson.ToJsonDocuments($"kustomize {variant}", yaml).Select(d => JsonNode.Parse(d)!.AsObject()).ToList();
        var typed = new List<object>();
        foreach (var node in json)
        {
            var key = ((string)node["apiVersion"]!, (string)node["kind"]!);
            if (WithoutModel.Contains(key))
            {
                continue;
            }

            Assert.That(Models.TryGetValue(key, out var type), Is.True, $"{variant}: no KubernetesClient model for {key}");
            object model = DeserializeString.MakeGenericMethod(type!).Invoke(null, [node.ToJsonString(), null])!;
            var again = JsonNode.Parse(KubernetesJson.Serialize(model));
            Assert.That(JsonNode.DeepEquals(again, node), Is.True, $"{variant}: {key} {node["metadata"]?["name"]} does not read strictly into {type!.Name}:\n  input: {node.ToJsonString()}\n  model: {again?.ToJsonString()}");
            typed.Add(model);
        }

        return new DeployObjects(variant, json, typed);
    }

    public IEnumerable<T> OfType<T>() => Typed.OfType<T>();

    public V1Deployment Deployment => OfType<V1Deployment>().Single();

    public V1PodSpec Pod => Deployment.Spec.Template.Spec;

    public V1Container Container(string name) => Pod.Containers.Single(c => c.Name == name);

    /// <summary>The proxy sidecar: the one container that is not the operator.</summary>
    public V1Container Proxy => Pod.Containers.Single(c => c.Name != "operator");

    public V1Container Operator => Container("operator");

    public V1Container Bootstrap => Pod.InitContainers.Single(c => c.Name == "bootstrap");

    public override string ToString() => Variant;
}
