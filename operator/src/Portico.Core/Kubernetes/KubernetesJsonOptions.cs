using System.Text.Json;
using k8s;

namespace Portico.Core.Kubernetes;

/// <summary>The client library's own serializer options (its converters), captured once for reading straight from UTF-8 bytes.</summary>
internal static class KubernetesJsonOptions
{
    public static JsonSerializerOptions Value { get; } = Capture();

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options!;
    }
}
