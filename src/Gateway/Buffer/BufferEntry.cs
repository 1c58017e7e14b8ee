using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// A record to commit: a frame (the readings of one device poll that passed report-by-exception, already encoded by
/// <see cref="Storage.FrameBodyWriter"/>, taking one seq per reading), an alarm transition or an operator's write
/// attempt (one seq each).
/// </summary>
internal readonly struct BufferEntry
{
    private BufferEntry(RecordKind kind, TagTable? table, ReadOnlyMemory<byte> body, int readings, AlarmRecord? alarm, AuditRecord? audit)
    {
        Kind = kind;
        Table = table;
        Body = body;
        Readings = readings;
        Alarm = alarm;
        Audit = audit;
    }

    public RecordKind Kind { get; }

    /// <summary>A frame's tag table (stored once, referred to by the frame).</summary>
    public TagTable? Table { get; }

    /// <summary>A frame's encoded body; must not change until the append completed.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Seqs the record takes: a frame's readings, 1 for an alarm or audit record.</summary>
    public int Readings { get; }

    public AlarmRecord? Alarm { get; }

    public AuditRecord? Audit { get; }

    public static BufferEntry Frame(TagTable table, ReadOnlyMemory<byte> body, int readings) =>
        new(RecordKind.Telemetry, table ?? throw new ArgumentNullException(nameof(table)), body, readings, null, null);

    public static BufferEntry ForAlarm(AlarmRecord record) =>
        new(RecordKind.Alarm, null, default, 1, record ?? throw new ArgumentNullException(nameof(record)), null);

    public static BufferEntry ForAudit(AuditRecord record) =>
        new(RecordKind.Audit, null, default, 1, null, record ?? throw new ArgumentNullException(nameof(record)));
}
