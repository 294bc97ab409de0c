namespace Portico.Hosting;

/// <summary>Feeds the store (a cluster watcher, the manifest directory) until cancelled.</summary>
public interface IStoreSource
{
    /// <summary>The kinds this source lists; no build happens before each has been listed once.</summary>
    IReadOnlyCollection<string> Kinds { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
