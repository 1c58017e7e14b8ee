using System.Threading.Channels;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// The sink one device's driver gets: frames from the pool, published with the device's tag table into the readings
/// channel (one hand-off per frame). A tag index outside the table is a driver bug: the publish throws, and the
/// supervisor restarts the driver loudly rather than let a reading be attributed to the wrong tag.
/// </summary>
/// <remarks>
/// Tags the device names at run time (<see cref="TagIndexOf"/>: SNMP walk rows, trap varbinds) extend the table: the
/// new ids are gathered and the next publish goes out with a new table, the current one plus them, so a frame's table
/// always names every index in it and each stage sees the configured tags at their configured indexes. One new table per
/// publish that found new tags (typically the first poll), not one per tag.
/// </remarks>
internal sealed class DeviceReadingSink : IReadingSink
{
    private readonly ChannelWriter<PipelineFrame> _writer;
    private readonly ReadingFramePool _pool;
    private readonly Lock _gate = new();
    private readonly TagTable _configured;
    private TagTable _table;
    private Dictionary<string, int>? _runtimeIndexes;
    private List<string>? _pending;

    public DeviceReadingSink(TagTable table, ChannelWriter<PipelineFrame> writer, ReadingFramePool pool)
    {
        _table = table;
        _configured = table;
        _writer = writer;
        _pool = pool;
    }

    public ReadingFrame CreateFrame() => _pool.Rent();

    public int TagIndexOf(string tagId)
    {
        ArgumentNullException.ThrowIfNull(tagId);
        lock (_gate)
        {
            if (_configured.TryGetIndex(tagId, out int configured))
            {
                return configured;
            }

            _runtimeIndexes ??= new Dictionary<string, int>(StringComparer.Ordinal);
            if (_runtimeIndexes.TryGetValue(tagId, out int index))
            {
                return index;
            }

            if (_runtimeIndexes.Count >= IReadingSink.MaxRuntimeTags)
            {
                return -1;
            }

            index = _configured.Count + _runtimeIndexes.Count;
            _runtimeIndexes.Add(tagId, index);
            (_pending ??= []).Add(tagId);
            return index;
        }
    }

    public ValueTask PublishAsync(ReadingFrame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Count == 0)
        {
            _pool.Return(frame);
            return ValueTask.CompletedTask;
        }

        TagTable table = CurrentTable();
        uint tags = (uint)table.Count;
        foreach (ref readonly TagReading reading in frame.Readings)
        {
            if ((uint)reading.TagIndex >= tags)
            {
                throw new ArgumentOutOfRangeException(nameof(frame), reading.TagIndex, $"tag index {reading.TagIndex} is outside device '{table.DeviceId}''s {tags} tags");
            }
        }

        var item = new PipelineFrame(table, frame);
        return _writer.TryWrite(item) ? ValueTask.CompletedTask : _writer.WriteAsync(item, cancellationToken);
    }

    /// <summary>The table with every tag handed out so far; the field is read without the lock once no runtime tags are pending.</summary>
    private TagTable CurrentTable()
    {
        if (Volatile.Read(ref _pending) is null)
        {
            return Volatile.Read(ref _table);
        }

        lock (_gate)
        {
            if (_pending is { } pending)
            {
                Volatile.Write(ref _table, _table.Extend(pending));
                _pending = null;
            }

            return _table;
        }
    }
}
