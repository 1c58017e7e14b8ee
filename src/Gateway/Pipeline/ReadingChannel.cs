using System.Threading.Channels;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// The bounded channel between the device supervisors (many writers) and the processing stage (one reader).
/// Full mode is Wait: a slow disk slows the drivers down rather than dropping a reading that was read.
/// </summary>
internal sealed class ReadingChannel
{
    public const int Capacity = 20_000;

    private readonly Channel<Reading> _channel = Channel.CreateBounded<Reading>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = false,
    });

    public ChannelReader<Reading> Reader => _channel.Reader;

    public ChannelWriter<Reading> Writer => _channel.Writer;
}
