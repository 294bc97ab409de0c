using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Portico.TestApiServer.Resources;

/// <summary>
/// A test-only custom resource (test.portico.dev/v1 testwidgets, namespaced, with a spec and a status subresource
/// whose status carries conditions), standing in for a CRD such as IngressPolicy where a test needs a kind that only
/// the generic (custom objects) API reaches.
/// </summary>
public sealed class TestWidget : IKubernetesObject<V1ObjectMeta>
{
    public const string GroupName = "test.portico.dev";
    public const string VersionName = "v1";
    public const string PluralName = "testwidgets";
    public const string KindName = "TestWidget";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{GroupName}/{VersionName}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public IDictionary<string, string>? Spec { get; set; }

    [JsonPropertyName("status")]
    public TestWidgetStatus? Status { get; set; }
}
