namespace Portico.Core.Manifests;

/// <summary>YAML to JSON with Portico's strict converter, for YAML that is not a manifest (config files).</summary>
public static class YamlJson
{
    /// <summary>One JSON document per YAML mapping document; throws <see cref="ManifestException"/> with file and line.</summary>
    public static IReadOnlyList<byte[]> ToJsonDocuments(string file, string text) =>
        [.. YamlJsonConverter.Convert(file, text).Select(d => d.Json)];
}
