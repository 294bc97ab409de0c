using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Portico.TestSupport.Kinds;

/// <summary>
/// A custom resource that exists only in tests (group test.portico.dev): proof that a kind is added through the
/// registry alone, with no typed client calls and no switch anywhere knowing it.
/// </summary>
public sealed class Widget : IKubernetesObject<V1ObjectMeta>, ISpec<WidgetSpec>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = TestKinds.Widget.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = TestKinds.Widget.Kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public WidgetSpec Spec { get; set; } = new();

    public static Widget Create(string name, string color, string ns = "default") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new WidgetSpec { Color = color },
    };
}
