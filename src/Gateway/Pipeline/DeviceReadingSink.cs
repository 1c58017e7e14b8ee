using System.Threading.Channels;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// The sink one device's driver gets: frames from the pool, published with the device's tag table into the readings
/// channel (one hand-off per frame). A tag index outside the table is a driver bug: the publish throws, and the
/// supervisor restarts the driver loudly rather than let a reading be attributed to the wrong tag.
/// </summary>
internal sealed class DeviceReadingSink : IReadingSink
{
    private readonly TagTable _table;
    private readonly ChannelWriter<PipelineFrame> _writer;
    private readonly ReadingFramePool _pool;

    public DeviceReadingSink(TagTable table, ChannelWriter<PipelineFrame> writer, ReadingFramePool pool)
    {
        _table = table;
        _writer = writer;
        _pool = pool;
    }

    public ReadingFrame CreateFrame() => _pool.Rent();

    public ValueTask PublishAsync(ReadingFrame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Count == 0)
        {
            _pool.Return(frame);
            return ValueTask.CompletedTask;
        }

        uint tags = (uint)_table.Count;
        foreach (ref readonly TagReading reading in frame.Readings)
        {
            if ((uint)reading.TagIndex >= tags)
            {
                throw new ArgumentOutOfRangeException(nameof(frame), reading.TagIndex, $"tag index {reading.TagIndex} is outside device '{_table.DeviceId}''s {tags} tags");
            }
        }

        var item = new PipelineFrame(_table, frame);
        return _writer.TryWrite(item) ? ValueTask.CompletedTask : _writer.WriteAsync(item, cancellationToken);
    }
}
