namespace Portico.Watching;

/// <summary>A source that keeps one kind in the store up to date until cancelled.</summary>
public interface IResourceWatcher
{
    string Kind { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
