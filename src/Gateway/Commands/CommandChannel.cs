using System.Threading.Channels;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// MQTT receive handler → <see cref="CommandService"/>. The handler runs on the MQTT client's receive loop, which
/// must not wait for a PUBACK of our own reply, hence the hand-off. Bounded: a flood of commands is dropped (and
/// counted) rather than growing memory; commands are operator actions, a handful a minute.
/// </summary>
internal sealed class CommandChannel
{
    private readonly Channel<ReceivedCommand> _channel = Channel.CreateBounded<ReceivedCommand>(new BoundedChannelOptions(256)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private long _dropped;

    public ChannelReader<ReceivedCommand> Reader => _channel.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Post(ReceivedCommand command)
    {
        if (!_channel.Writer.TryWrite(command))
        {
            Interlocked.Increment(ref _dropped);
        }
    }
}
