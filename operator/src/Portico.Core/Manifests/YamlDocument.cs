namespace Portico.Core.Manifests;

/// <summary>
/// One YAML document converted to JSON, with where it came from and the identifying fields read on the way
/// (so an object that fails to deserialize can still be named in a diagnostic).
/// </summary>
internal sealed record YamlDocument(string File, long Line, byte[] Json, string? ApiVersion, string? Kind, string? Namespace, string? Name);
