using System.Threading.Channels;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// MQTT receive handler → <see cref="CommandService"/>. The handler runs on the MQTT client's message loop, which must
/// not wait for the execution of a command (an ack at an OPC UA device takes up to 15 s; MQTTnet also waits for that
/// loop before it finishes a disconnect), hence the hand-off; the command is acknowledged to the broker by the command
/// service once it is executed.
/// </summary>
/// <remarks>
/// Bounded, and a full channel pushes back instead of dropping: <see cref="PostAsync"/> waits for room, which pauses
/// MQTTnet's message loop (not its packet reader, so the PUBACKs of our replies still arrive). Nothing is lost, and the
/// broker stops sending before that anyway: every command here is un-acknowledged, and a broker sends at most its
/// in-flight window of them (mosquitto <c>max_inflight_messages</c>, 20 by default) before it queues the rest.
/// </remarks>
internal sealed class CommandChannel
{
    public const int Capacity = 256;

    private readonly Channel<ReceivedCommand> _channel = Channel.CreateBounded<ReceivedCommand>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = true, // MQTTnet's message loop, one at a time (a new connection's starts after the old one's ended)
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ChannelReader<ReceivedCommand> Reader => _channel.Reader;

    /// <summary>Queues a command, waiting for room when <see cref="Capacity"/> commands wait already.</summary>
    public ValueTask PostAsync(ReceivedCommand command, CancellationToken cancellationToken) =>
        _channel.Writer.WriteAsync(command, cancellationToken);
}
