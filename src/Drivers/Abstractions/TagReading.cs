namespace SmartCity.Edge.Drivers;

/// <summary>
/// One decoded sample of one tag inside a <see cref="ReadingFrame"/>. The tag is named by its index in the device's tag
/// list (<see cref="DeviceDescriptor.Tags"/>), which the gateway resolved when it loaded the configuration: no tag or
/// device name travels with a reading.
/// </summary>
public readonly struct TagReading
{
    private readonly long _timestampTicks;

    /// <param name="tagIndex">Index of the tag in <see cref="DeviceDescriptor.Tags"/> (and in the driver's own tag settings, same order).</param>
    /// <param name="value">The decoded value; <see cref="TagValue.None"/> when the read failed.</param>
    /// <param name="quality">Good, uncertain or bad.</param>
    /// <param name="reason">Why the quality is not good (an exception name, an OPC UA status name), else null.</param>
    /// <param name="sourceTimestamp">When the value was sampled: the device's own timestamp when it has one, else the time the response arrived.</param>
    public TagReading(int tagIndex, TagValue value, Quality quality, string? reason, DateTimeOffset sourceTimestamp)
    {
        TagIndex = tagIndex;
        Value = value;
        Quality = quality;
        Reason = reason;
        _timestampTicks = sourceTimestamp.UtcTicks;
    }

    public int TagIndex { get; }

    public TagValue Value { get; }

    public Quality Quality { get; }

    public string? Reason { get; }

    /// <summary>When the value was sampled, in UTC.</summary>
    public DateTimeOffset SourceTimestamp => new(_timestampTicks, TimeSpan.Zero);

    /// <summary><see cref="SourceTimestamp"/> as UTC ticks, for arithmetic without building a <see cref="DateTimeOffset"/>.</summary>
    public long SourceTicks => _timestampTicks;

    public static TagReading Good(int tagIndex, TagValue value, DateTimeOffset timestamp) => new(tagIndex, value, Quality.Good, null, timestamp);

    public static TagReading Bad(int tagIndex, string reason, DateTimeOffset timestamp) => new(tagIndex, TagValue.None, Quality.Bad, reason, timestamp);
}
