using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Portico.Envoy.Schema;

/// <summary>
/// Every message type compiled into this assembly (Envoy's protos, their imports and the well-known types), as one
/// <see cref="TypeRegistry"/>, and the strict JSON parser over it: unknown fields are errors, and an Any whose
/// <c>@type</c> is not in the registry is an error.
/// </summary>
internal static class EnvoyTypes
{
    public static TypeRegistry Registry { get; } = TypeRegistry.FromFiles(GeneratedFiles().ToArray());

    public static JsonParser StrictParser { get; } = new(JsonParser.Settings.Default.WithTypeRegistry(Registry).WithIgnoreUnknownFields(false));

    /// <summary>The file descriptors protoc generated in Portico.Envoy.Protos (each FooReflection.Descriptor) and the well-known types.</summary>
    public static IEnumerable<FileDescriptor> GeneratedFiles()
    {
        foreach (var type in typeof(global::Envoy.Config.Bootstrap.V3.Bootstrap).Assembly.GetTypes().Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal)).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is FileDescriptor file)
            {
                yield return file;
            }
        }

        yield return AnyReflection.Descriptor;
        yield return DurationReflection.Descriptor;
        yield return StructReflection.Descriptor;
        yield return TimestampReflection.Descriptor;
        yield return WrappersReflection.Descriptor;
        yield return EmptyReflection.Descriptor;
    }

    /// <summary>The message inside an Any, looked up in the registry; null when the type is unknown.</summary>
    public static IMessage? Unpack(Any any)
    {
        var descriptor = Registry.Find(Any.GetTypeName(any.TypeUrl));
        return descriptor?.Parser.ParseFrom(any.Value);
    }
}
