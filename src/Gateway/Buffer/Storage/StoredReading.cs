using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// One reading as <see cref="FrameBodyReader"/> decodes it, without allocating: text stays UTF-8 in the stored body,
/// so an encoder can copy it out as it is. <see cref="ToTagValue"/> and <see cref="ReasonText"/> materialise strings.
/// </summary>
internal readonly ref struct StoredReading
{
    public StoredReading(int tagIndex, Quality quality, long timestampMs, StoredValueEncoding encoding, ulong bits, ReadOnlySpan<byte> text, int reasonIndex, ReadOnlySpan<byte> reason)
    {
        TagIndex = tagIndex;
        Quality = quality;
        TimestampMs = timestampMs;
        Encoding = encoding;
        Bits = bits;
        Text = text;
        ReasonIndex = reasonIndex;
        Reason = reason;
    }

    public int TagIndex { get; }

    public Quality Quality { get; }

    /// <summary>Source time in Unix milliseconds.</summary>
    public long TimestampMs { get; }

    public StoredValueEncoding Encoding { get; }

    /// <summary>The varint or the float's bits, as stored.</summary>
    public ulong Bits { get; }

    /// <summary>A string value's UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> Text { get; }

    /// <summary>Index of the reason in the frame's reason table, or −1 without one (good readings).</summary>
    public int ReasonIndex { get; }

    /// <summary>The reason's UTF-8 bytes (empty without one).</summary>
    public ReadOnlySpan<byte> Reason { get; }

    public bool HasReason => ReasonIndex >= 0;

    public DateTimeOffset Timestamp => new((TimestampMs + FrameBodyWriter.UnixEpochMilliseconds) * TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    public string? ReasonText => HasReason ? System.Text.Encoding.UTF8.GetString(Reason) : null;

    public TagValue ToTagValue() => StoredValueCodec.ToTagValue(Encoding, Bits, Text);
}
