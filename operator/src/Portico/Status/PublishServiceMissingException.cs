namespace Portico.Status;

/// <summary>The configured publish Service does not exist: the sync fails (and is retried) rather than publishing nothing.</summary>
public sealed class PublishServiceMissingException : Exception
{
    public PublishServiceMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
