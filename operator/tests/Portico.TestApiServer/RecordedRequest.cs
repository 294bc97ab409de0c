using Microsoft.AspNetCore.WebUtilities;

namespace Portico.TestApiServer;

/// <summary>
/// One request the server answered, as a test sees it: what was asked (method, path, query, the Kubernetes verb
/// and resource), the HTTP status the server chose, and the request body for writes.
/// </summary>
/// <param name="Time">When the server decided the answer (from the server's TimeProvider).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Verb">The Kubernetes verb (<see cref="ApiVerbs"/>): get, list, watch, create, update, patch, delete, deletecollection.</param>
/// <param name="Path">The URL path, e.g. /apis/networking.k8s.io/v1/namespaces/default/ingresses/web/status.</param>
/// <param name="Query">The raw query string including the leading '?', or empty.</param>
/// <param name="Group">The API group ("" for the core group), null for discovery requests.</param>
/// <param name="Resource">The resource (plural, e.g. "ingresses"), null for discovery requests.</param>
/// <param name="Namespace">The namespace in the path, or null.</param>
/// <param name="Name">The object name in the path, or null for collections.</param>
/// <param name="Subresource">"status" for the status subresource, otherwise null.</param>
/// <param name="StatusCode">The HTTP status code answered (200 for a watch that started streaming).</param>
/// <param name="Body">The request body of a write, or null.</param>
public sealed record RecordedRequest(
    DateTimeOffset Time,
    string Method,
    string Verb,
    string Path,
    string Query,
    string? Group,
    string? Resource,
    string? Namespace,
    string? Name,
    string? Subresource,
    int StatusCode,
    string? Body)
{
    /// <summary>A write to a status subresource (PUT or PATCH .../status).</summary>
    public bool IsStatusWrite => Subresource == "status" && Verb is ApiVerbs.Update or ApiVerbs.Patch;

    /// <summary>The value of one query parameter (the first when repeated), or null.</summary>
    public string? QueryValue(string name) =>
        QueryHelpers.ParseQuery(Query).TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    public override string ToString() => $"{Method} {Path}{Query} -> {StatusCode}";
}
