namespace Portico.Watching;

/// <summary>A source that keeps one kind in the store up to date until cancelled.</summary>
public interface IResourceWatcher : Hosting.IStoreSource
{
    string Kind { get; }

    IReadOnlyCollection<string> Hosting.IStoreSource.Kinds => [Kind];
}
