using System.Threading.Channels;
using Portico.TestApiServer.Resources;
using Portico.TestApiServer.Selectors;

namespace Portico.TestApiServer.Storage;

/// <summary>
/// One open watch: the store posts its events here in commit order (under the store's lock, so nothing is missed
/// or reordered between the initial state and later events); the HTTP stream drains it.
/// </summary>
internal sealed class WatchSubscription(ResourceDefinition resource, ObjectFilter filter, bool allowBookmarks)
{
    private readonly Channel<WatchItem> channel = Channel.CreateUnbounded<WatchItem>(new UnboundedChannelOptions { SingleReader = true });

    public ResourceDefinition Resource { get; } = resource;

    public ObjectFilter Filter { get; } = filter;

    public bool AllowBookmarks { get; } = allowBookmarks;

    public ChannelReader<WatchItem> Reader => channel.Reader;

    /// <summary>Set when a test drops the watch: the stream stops at once, pending events unsent.</summary>
    public bool IsDropped { get; private set; }

    /// <summary>Dropped by aborting the connection (the client sees a broken stream) rather than ending it cleanly.</summary>
    public bool AbortConnection { get; private set; }

    public void Post(WatchItem item) => channel.Writer.TryWrite(item);

    /// <summary>No more events: the stream ends cleanly once the client has what was posted.</summary>
    public void Complete() => channel.Writer.TryComplete();

    public void Drop(bool abort)
    {
        AbortConnection = abort;
        IsDropped = true;
        channel.Writer.TryComplete();
    }
}
