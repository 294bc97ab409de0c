using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes.Crds;

/// <summary>
/// The IngressPolicy custom resource (<c>portico.dev/v1alpha1</c>, crds/portico.dev_ingresspolicies.yaml). A plain
/// data class like KubernetesClient's own models: the builder parses every field into typed values before use.
/// </summary>
public sealed class IngressPolicy : IKubernetesObject<V1ObjectMeta>, ISpec<IngressPolicySpec>, IStatus<IngressPolicyStatus>
{
    public const string KubeGroup = "portico.dev";
    public const string KubeApiVersion = "v1alpha1";
    public const string KubeKind = "IngressPolicy";
    public const string KubePluralName = "ingresspolicies";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubeGroup + "/" + KubeApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public IngressPolicySpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public IngressPolicyStatus Status { get; set; } = new();
}
