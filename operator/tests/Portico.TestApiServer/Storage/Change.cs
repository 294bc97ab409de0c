using System.Text.Json;

namespace Portico.TestApiServer.Storage;

/// <summary>What a write decided, given the current object: nothing, store this object, or delete.</summary>
internal readonly record struct Change(ChangeKind Kind, JsonElement Object)
{
    public static Change None { get; } = new(ChangeKind.None, default);

    public static Change Delete { get; } = new(ChangeKind.Delete, default);

    /// <summary>Store <paramref name="obj"/> (normalized; the store sets its resourceVersion).</summary>
    public static Change Put(JsonElement obj) => new(ChangeKind.Put, obj);
}
