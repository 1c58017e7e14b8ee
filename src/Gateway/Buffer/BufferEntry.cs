using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// A record to commit: a frame (the readings of one device poll that passed report-by-exception, already encoded by
/// <see cref="Storage.FrameBodyWriter"/>, taking one seq per reading) or an alarm transition (one seq).
/// </summary>
internal readonly struct BufferEntry
{
    private BufferEntry(RecordKind kind, TagTable? table, ReadOnlyMemory<byte> body, int readings, AlarmRecord? alarm)
    {
        Kind = kind;
        Table = table;
        Body = body;
        Readings = readings;
        Alarm = alarm;
    }

    public RecordKind Kind { get; }

    /// <summary>A frame's tag table (stored once, referred to by the frame).</summary>
    public TagTable? Table { get; }

    /// <summary>A frame's encoded body; must not change until the append completed.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Seqs the record takes: a frame's readings, 1 for an alarm.</summary>
    public int Readings { get; }

    public AlarmRecord? Alarm { get; }

    public static BufferEntry Frame(TagTable table, ReadOnlyMemory<byte> body, int readings) =>
        new(RecordKind.Telemetry, table ?? throw new ArgumentNullException(nameof(table)), body, readings, null);

    public static BufferEntry ForAlarm(AlarmRecord record) =>
        new(RecordKind.Alarm, null, default, 1, record ?? throw new ArgumentNullException(nameof(record)));
}
