namespace Portico.TestApiServer.Storage;

/// <summary>One page of a list: the items, the snapshot's resourceVersion, where the next page starts (if any).</summary>
internal sealed record ListPage(IReadOnlyList<StoredObject> Items, long ResourceVersion, string? ContinueAfter, long? RemainingItemCount);
