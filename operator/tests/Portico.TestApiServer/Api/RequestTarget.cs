using Portico.TestApiServer.Resources;

namespace Portico.TestApiServer.Api;

/// <summary>
/// What a request addresses, parsed from the URL the way the real server routes it:
/// <c>/api/v1[/namespaces/{ns}]/{resource}[/{name}[/status]]</c> and
/// <c>/apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/status]]</c>, plus the discovery documents.
/// </summary>
internal sealed record RequestTarget(string Verb, ResourceDefinition? Resource, string? Namespace, string? Name, string? Subresource, string[] Segments)
{
    public bool IsDiscovery => Resource is null;

    public static RequestTarget Parse(string method, string path, bool watch, ServedResources resources)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments[0] is not ("api" or "apis"))
        {
            return Discovery(method, segments);
        }

        string group;
        string version;
        ArraySegment<string> rest;
        if (segments[0] == "api")
        {
            if (segments.Length < 2)
            {
                return Discovery(method, segments);
            }

            (group, version, rest) = (string.Empty, segments[1], segments[2..]);
        }
        else
        {
            if (segments.Length < 3)
            {
                return Discovery(method, segments);
            }

            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }

        if (rest.Count == 0)
        {
            return Discovery(method, segments);
        }

        string? ns = null;
        var namespaceItem = group.Length == 0 && rest[0] == "namespaces" && (rest.Count <= 2 || (rest.Count == 3 && rest[2] is "status" or "finalize"));
        if (rest[0] == "namespaces" && !namespaceItem)
        {
            if (rest.Count < 3)
            {
                throw ApiException.NoSuchPath();
            }

            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Count > 3)
        {
            throw ApiException.NoSuchPath();
        }

        var resource = resources.Find(group, version, rest[0]) ?? throw ApiException.NoSuchPath();
        var name = rest.Count > 1 ? rest[1] : null;
        var subresource = rest.Count > 2 ? rest[2] : null;
        if ((resource.Namespaced && ns is null && name is not null) || (!resource.Namespaced && ns is not null))
        {
            throw ApiException.NoSuchPath();
        }

        if (subresource is not null && (subresource != "status" || !resource.HasStatusSubresource))
        {
            throw ApiException.NoSuchPath();
        }

        var verb = (method, name, subresource) switch
        {
            ("GET", null, _) => watch ? ApiVerbs.Watch : ApiVerbs.List,
            ("GET", _, _) => watch ? ApiVerbs.Watch : ApiVerbs.Get,
            ("POST", null, _) when resource.Namespaced && ns is null => throw ApiException.MethodNotAllowed($"POST is not supported on the all-namespaces path of {resource.Plural}"),
            ("POST", null, _) => ApiVerbs.Create,
            ("DELETE", null, _) => ApiVerbs.DeleteCollection,
            ("PUT", not null, _) => ApiVerbs.Update,
            ("PATCH", not null, _) => ApiVerbs.Patch,
            ("DELETE", not null, null) => ApiVerbs.Delete,
            _ => throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({method})"),
        };

        return new RequestTarget(verb, resource, ns, name, subresource, segments);
    }

    private static RequestTarget Discovery(string method, string[] segments) =>
        method is "GET" or "HEAD"
            ? new RequestTarget(ApiVerbs.Get, null, null, null, null, segments)
            : throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({method})");
}
