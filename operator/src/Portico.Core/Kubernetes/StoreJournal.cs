namespace Portico.Core.Kubernetes;

/// <summary>
/// The keys the <see cref="ObjectStore"/> changed, newest first: an immutable chain each snapshot holds the head of,
/// so the keys that changed between two snapshots of one store are the nodes from the newer head back to the older
/// one's (<see cref="ClusterSnapshot.ChangedSince"/>), without comparing the snapshots' tables object by object. The
/// chain is cut every <see cref="MaxLength"/> entries so it holds little memory; a snapshot older than the cut (or
/// from another store) is then not found, and the caller compares tables instead.
/// </summary>
internal sealed class StoreJournal
{
    public const int MaxLength = 4096;

    private StoreJournal(string? kind, NamespacedName key, StoreJournal? older)
    {
        Kind = kind;
        Key = key;
        Older = older;
        Length = older is null ? 0 : older.Length + 1;
    }

    /// <summary>The kind of the changed object; null for the start of a chain.</summary>
    public string? Kind { get; }

    public NamespacedName Key { get; }

    public StoreJournal? Older { get; }

    private int Length { get; }

    /// <summary>The start of a chain: no snapshot before it can be found from it.</summary>
    public static StoreJournal Start() => new(null, default, null);

    /// <summary>This chain with one more change (a new chain past <see cref="MaxLength"/>).</summary>
    public StoreJournal Add(string kind, NamespacedName key) => new(kind, key, Length >= MaxLength ? Start() : this);

    /// <summary>The keys of <paramref name="kind"/> changed after <paramref name="older"/> up to this entry; null when <paramref name="older"/> is not in this chain.</summary>
    public HashSet<NamespacedName>? KeysSince(StoreJournal older, string kind)
    {
        var keys = new HashSet<NamespacedName>();
        for (var entry = this; entry is not null; entry = entry.Older)
        {
            if (ReferenceEquals(entry, older))
            {
                return keys;
            }

            if (entry.Kind == kind)
            {
                keys.Add(entry.Key);
            }
        }

        return null;
    }
}
