using System.Text.Json;
using k8s;

namespace Portico.Core.Kubernetes;

/// <summary>
/// The client library's own serializer options (its converters and type information), captured once for reading
/// straight from UTF-8 bytes, with strings read through <see cref="SharedStrings"/> so that the values objects repeat
/// are kept once.
/// </summary>
internal static class KubernetesJsonOptions
{
    public static JsonSerializerOptions Value { get; } = Capture();

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? library = null;
        KubernetesJson.AddJsonOptions(o => library = o);
        var options = new JsonSerializerOptions(library!);
        options.Converters.Insert(0, new SharedStrings());
        options.MakeReadOnly();
        return options;
    }
}
