using System.Collections.Immutable;
using Portico.TestApiServer.Resources;

namespace Portico.TestApiServer.Storage;

/// <summary>
/// One committed write, kept in the bounded history: what watches replay from a resourceVersion, and (through
/// <see cref="Before"/>, the resource's objects just before it) how a paged list serves a consistent snapshot.
/// </summary>
internal sealed record StoredEvent(
    long Revision,
    ResourceDefinition Resource,
    string Type,
    StoredObject Object,
    StoredObject? Previous,
    ImmutableSortedDictionary<string, StoredObject> Before);
