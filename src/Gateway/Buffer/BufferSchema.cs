namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// The database layout. Telemetry and alarms live in separate tables so the forwarder reads alarms first and
/// eviction can only ever touch telemetry. <c>seq</c> is the rowid (INTEGER PRIMARY KEY), so reads and deletes
/// by seq range are b-tree range operations. <c>meta.last_seq</c> is the high-water mark: it survives even when
/// every record has been deleted, so seqs keep increasing across restarts.
/// </summary>
internal static class BufferSchema
{
    /// <summary>Stored in <c>PRAGMA user_version</c>; a file with a higher version was written by a newer gateway.</summary>
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS telemetry (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, body TEXT NOT NULL, committed_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS alarms (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, body TEXT NOT NULL, committed_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0);
        PRAGMA user_version = 1;
        """;

    public static string Table(RecordKind kind) => kind switch
    {
        RecordKind.Telemetry => "telemetry",
        RecordKind.Alarm => "alarms",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown record kind"),
    };
}
