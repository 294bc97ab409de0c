namespace Portico.Watching;

/// <summary>A watch stream reported an error other than 410 Gone; the watcher retries with backoff.</summary>
public sealed class WatchFailedException : Exception
{
    public WatchFailedException()
    {
    }

    public WatchFailedException(string message)
        : base(message)
    {
    }

    public WatchFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
