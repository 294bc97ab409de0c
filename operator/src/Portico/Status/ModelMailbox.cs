using System.Threading.Channels;
using Portico.Core.Model;

namespace Portico.Status;

/// <summary>
/// Hands the newest model to a background worker: posting never blocks and never fails, and a model not yet taken is
/// replaced by a newer one (only the latest state of the cluster matters to status and Events).
/// </summary>
internal sealed class ModelMailbox
{
    private readonly Channel<ProxyModel> _channel = Channel.CreateBounded<ProxyModel>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false });

    public void Post(ProxyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _channel.Writer.TryWrite(model);
    }

    public bool TryTake(out ProxyModel? model) => _channel.Reader.TryRead(out model);

    /// <summary>Completes when a model is waiting.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken).AsTask();
}
