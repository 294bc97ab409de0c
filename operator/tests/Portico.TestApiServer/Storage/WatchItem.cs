using System.Text.Json;

namespace Portico.TestApiServer.Storage;

/// <summary>One line of a watch stream: {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": ...}.</summary>
internal sealed record WatchItem(string Type, JsonElement Object)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
    public const string Error = "ERROR";
}
