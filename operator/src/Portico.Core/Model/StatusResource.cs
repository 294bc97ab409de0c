namespace Portico.Core.Model;

/// <summary>
/// Where an object's status subresource lives in the API: group ("" for the core group), version and plural
/// resource name, as the generic (custom objects) API addresses it. Data, so the model needs no kind registry.
/// </summary>
public sealed record StatusResource(string Group, string Version, string Plural)
{
    /// <summary>"networking.k8s.io/v1", or "v1" for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
