using System.Text.Json;
using k8s;

namespace Portico.Core.Kubernetes;

/// <summary>
/// The client library's own serializer options (its converters and type information), captured once for reading
/// straight from UTF-8 bytes, with strings read through <see cref="SharedStrings"/> so that the values objects repeat
/// are kept once.
/// </summary>
public static class KubernetesJsonOptions
{
    private static readonly Lazy<JsonSerializerOptions> Options = new(Capture);

    internal static JsonSerializerOptions Value => Options.Value;

    /// <summary>
    /// Makes the client library's own reads (lists and watches of typed kinds) share strings too, by adding the table
    /// to its options; call it before the library reads anything. Once the library has used its options they cannot
    /// change, and only Portico's own reads share (values are the same either way; only memory differs).
    /// </summary>
    public static void Share() => _ = Options.Value;

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? library = null;
        KubernetesJson.AddJsonOptions(o => library = o);
        return WithSharedStrings(library!);
    }

    /// <summary><paramref name="library"/> itself with the table added when it can still change, else a copy with it.</summary>
    internal static JsonSerializerOptions WithSharedStrings(JsonSerializerOptions library)
    {
        var options = library.IsReadOnly ? new JsonSerializerOptions(library) : library;
        options.Converters.Insert(0, new SharedStrings());
        return options;
    }
}
