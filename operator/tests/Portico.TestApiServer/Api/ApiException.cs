using System.Text.Json.Nodes;
using Portico.TestApiServer.Resources;

namespace Portico.TestApiServer.Api;

/// <summary>
/// A request the server refuses, carried to the HTTP layer and written as a real metav1.Status (kind Status,
/// status Failure, reason, code, message, details) with the matching HTTP status code.
/// </summary>
internal sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject? Details { get; } = details;

    /// <summary>The Status object the real server sends for this error.</summary>
    public JsonObject ToStatus() => StatusObjects.Failure(Code, Reason, Message, Details?.DeepClone().AsObject());

    public static ApiException NotFound(ResourceDefinition resource, string name) =>
        new(404, "NotFound", $"{resource.QualifiedResource} \"{name}\" not found", NameDetails(resource, name));

    public static ApiException NoSuchPath() => new(404, "NotFound", "the server could not find the requested resource", []);

    public static ApiException AlreadyExists(ResourceDefinition resource, string name) =>
        new(409, "AlreadyExists", $"{resource.QualifiedResource} \"{name}\" already exists", NameDetails(resource, name));

    public static ApiException Conflict(ResourceDefinition resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource.QualifiedResource} \"{name}\": {why}", NameDetails(resource, name));

    public static ApiException StaleResourceVersion(ResourceDefinition resource, string name) =>
        Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Invalid(ResourceDefinition resource, string name, IReadOnlyList<FieldProblem> problems)
    {
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Kind;
        details["causes"] = new JsonArray(problems
            .Select(p => (JsonNode)new JsonObject { ["reason"] = p.Reason, ["message"] = p.Message, ["field"] = p.Field })
            .ToArray());
        var summary = problems.Count == 1
            ? $"{problems[0].Field}: {problems[0].Message}"
            : "[" + string.Join(", ", problems.Select(p => $"{p.Field}: {p.Message}")) + "]";
        return new ApiException(422, "Invalid", $"{resource.QualifiedKind} \"{name}\" is invalid: {summary}", details);
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got \"{contentType}\")");

    public static ApiException Internal(string message) => new(500, "InternalError", $"Internal error occurred: {message}");

    private static JsonObject NameDetails(ResourceDefinition resource, string name)
    {
        // The real server names the resource (plural), not the kind, in these details.
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Plural;
        return details;
    }
}
