namespace Portico.Core.Rendering;

/// <summary>
/// Checks rendered files against the proxy's own configuration schema (for Envoy: its v3 API protos). A seam because
/// the implementation lives in an optional assembly that `portico` loads at run time when it is installed, so the
/// executable builds and runs without what the check needs (docs/adr/0005-envoy-schema-check-seam.md).
/// </summary>
public interface IConfigSchemaValidator
{
    /// <summary>The proxy whose files this checks: "envoy".</summary>
    string Proxy { get; }

    /// <summary>What the check is made of, for one line of output (for example the proto package and version).</summary>
    string Description { get; }

    /// <summary>Every problem found, each as "FILE: message"; empty when every file passes.</summary>
    IReadOnlyList<string> Validate(RenderedConfig config);
}
