using System.Threading.Channels;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// The bounded channel of frames between the device supervisors (many writers) and the processing stage (one
/// reader), with the pool the frames come from. Full mode is Wait: a slow disk slows the drivers down rather than
/// dropping a reading that was read.
/// </summary>
internal sealed class ReadingChannel
{
    /// <summary>Frames waiting at most: a second of polls of a 250-device park, or a few seconds of a 10 × 1,000-tag one.</summary>
    public const int Capacity = 256;

    private readonly Channel<PipelineFrame> _channel = Channel.CreateBounded<PipelineFrame>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = false,
    });

    public ChannelReader<PipelineFrame> Reader => _channel.Reader;

    public ChannelWriter<PipelineFrame> Writer => _channel.Writer;

    public ReadingFramePool Pool { get; } = new();

    /// <summary>The sink for the driver of the device <paramref name="table"/> belongs to.</summary>
    public IReadingSink CreateSink(TagTable table) => new DeviceReadingSink(table, _channel.Writer, Pool);

    /// <summary>Gives a processed frame back to the pool.</summary>
    public void Return(ReadingFrame frame) => Pool.Return(frame);
}
