namespace Portico.TestApiServer.Api;

/// <summary>How a PATCH body applies, by its Content-Type.</summary>
internal enum PatchKind
{
    /// <summary>application/json-patch+json (RFC 6902).</summary>
    Json,

    /// <summary>application/merge-patch+json (RFC 7386).</summary>
    Merge,

    /// <summary>application/strategic-merge-patch+json, applied as a merge patch.</summary>
    StrategicMerge,
}
