namespace SmartCity.Edge.Drivers;

/// <summary>
/// The readings of one device poll, or of one batch of pushed changes (an OPC UA Publish response, the GPIO edges
/// queued meanwhile): the unit that flows device → driver → alarms → buffer → upstream. A driver takes an empty frame
/// from its sink (<see cref="IReadingSink.CreateFrame"/>), adds a reading per tag it read, in any order, and hands the
/// frame over with one <see cref="IReadingSink.PublishAsync"/>. Tags are named by index (<see cref="TagReading.TagIndex"/>).
/// </summary>
/// <remarks>
/// Frames are pooled by the gateway: once published, a frame belongs to the sink and the driver must not touch it
/// again. A frame that is never published is simply garbage (nothing leaks). Not thread-safe: one writer fills it.
/// </remarks>
public sealed class ReadingFrame
{
    /// <summary>A frame keeps an array of at most this many readings when it is <see cref="Clear"/>ed for reuse.</summary>
    public const int MaxRetainedCapacity = 1 << 16;

    private TagReading[] _readings;
    private int _count;

    public ReadingFrame(int capacity = 16) => _readings = new TagReading[Math.Max(capacity, 1)];

    public int Count => _count;

    /// <summary>The readings added so far, in the order they were added.</summary>
    public ReadOnlySpan<TagReading> Readings => new(_readings, 0, _count);

    public ref readonly TagReading this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return ref _readings[index];
        }
    }

    /// <summary>Adds a reading (the same tag may appear more than once, e.g. two queued OPC UA data changes).</summary>
    public void Add(in TagReading reading)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reading.TagIndex, nameof(reading));
        if (_count == _readings.Length)
        {
            Array.Resize(ref _readings, _readings.Length * 2);
        }

        _readings[_count++] = reading;
    }

    public void Add(int tagIndex, TagValue value, Quality quality, string? reason, DateTimeOffset sourceTimestamp) =>
        Add(new TagReading(tagIndex, value, quality, reason, sourceTimestamp));

    public void AddGood(int tagIndex, TagValue value, DateTimeOffset sourceTimestamp) => Add(TagReading.Good(tagIndex, value, sourceTimestamp));

    public void AddBad(int tagIndex, string reason, DateTimeOffset sourceTimestamp) => Add(TagReading.Bad(tagIndex, reason, sourceTimestamp));

    /// <summary>Empties the frame for reuse (string references are dropped; an oversized array is given up).</summary>
    public void Clear()
    {
        if (_readings.Length > MaxRetainedCapacity)
        {
            _readings = new TagReading[16];
        }
        else
        {
            Array.Clear(_readings, 0, _count);
        }

        _count = 0;
    }
}
