namespace Portico.TestApiServer.Storage;

internal enum ChangeKind
{
    /// <summary>The write changes nothing: no new resourceVersion, no watch event (as the real server).</summary>
    None,
    Put,
    Delete,
}
