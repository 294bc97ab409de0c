namespace Portico.TestApiServer;

/// <summary>The Kubernetes API verbs (as in audit logs and RBAC) that <see cref="RecordedRequest.Verb"/> carries.</summary>
public static class ApiVerbs
{
    public const string Get = "get";
    public const string List = "list";
    public const string Watch = "watch";
    public const string Create = "create";
    public const string Update = "update";
    public const string Patch = "patch";
    public const string Delete = "delete";
    public const string DeleteCollection = "deletecollection";
}
