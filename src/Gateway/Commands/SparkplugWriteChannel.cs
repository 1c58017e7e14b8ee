using System.Threading.Channels;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Sparkplug edge node loop → <see cref="SparkplugWriteService"/>. The edge node must never wait for a device (a write
/// with its read-back may take 15 s, and the node publishes every reading and birth meanwhile), hence the hand-off.
/// </summary>
/// <remarks>
/// Bounded: <see cref="TryPost"/> refuses when <see cref="Capacity"/> writes wait already (a DCMD flood faster than the
/// devices take writes). The node then logs and counts the write as refused; nothing reaches a device. Sparkplug
/// commands are QoS 0 and unacknowledged, so there is no broker to push back on.
/// </remarks>
internal sealed class SparkplugWriteChannel
{
    public const int Capacity = 64;

    private readonly Channel<SparkplugWriteRequest> _channel = Channel.CreateBounded<SparkplugWriteRequest>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = true, // the edge node's loop
        FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full channel refuses the new request
    });

    public ChannelReader<SparkplugWriteRequest> Reader => _channel.Reader;

    /// <summary>Queues a request; false when the channel is full (the request is dropped, the caller logs it).</summary>
    public bool TryPost(SparkplugWriteRequest request) => _channel.Writer.TryWrite(request);
}
