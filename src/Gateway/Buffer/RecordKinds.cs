namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// Every record kind in one place, with what sets it apart: its table, its cursor's key, and the order an upstream
/// sends waiting records in. Only telemetry is ever evicted at <c>max_disk</c> (the oldest frames); an alarm or a record
/// of who wrote to a device never is. A new kind is added here (and to <see cref="RecordKind"/>); the buffer's
/// statements, cursors and counts are made from this list.
/// </summary>
internal static class RecordKinds
{
    /// <summary>Every kind, in the order an upstream sends what waits: alarms, then audit records, then telemetry.</summary>
    public static ReadOnlySpan<RecordKind> All => [RecordKind.Alarm, RecordKind.Audit, RecordKind.Telemetry];

    public const int Count = 3;

    /// <summary>The table holding the kind's records (rowid = seq).</summary>
    public static string Table(RecordKind kind) => kind switch
    {
        RecordKind.Telemetry => "frames",
        RecordKind.Alarm => "alarm_records",
        RecordKind.Audit => "audit_records",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown record kind"),
    };

    /// <summary>The key of an upstream's cursor of the kind in <c>meta</c>: <c>cursor/{upstream}/{telemetry|alarms|audit}</c>.</summary>
    public static string CursorKey(string upstream, RecordKind kind) => "cursor/" + upstream + "/" + kind switch
    {
        RecordKind.Telemetry => "telemetry",
        RecordKind.Alarm => "alarms",
        RecordKind.Audit => "audit",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown record kind"),
    };

    /// <summary>How a log line names one record of the kind.</summary>
    public static string Describe(RecordKind kind) => kind switch
    {
        RecordKind.Telemetry => "frame",
        RecordKind.Alarm => "alarm record",
        RecordKind.Audit => "audit record",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown record kind"),
    };
}
