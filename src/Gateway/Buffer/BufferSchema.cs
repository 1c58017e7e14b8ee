namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// The database layout. One row per frame (<c>frames</c>: the first seq of its readings as the rowid, how many it holds,
/// its tag table, the encoded body), each distinct tag table once (<c>tag_tables</c>), alarm transitions and operators'
/// write attempts apart (<c>alarm_records</c>, <c>audit_records</c>), so the forwarder reads them first and eviction
/// only ever touches telemetry (<see cref="RecordKinds"/>). <c>meta</c> holds <c>last_seq</c>, the high-water mark that
/// survives when every record is deleted (written by every transaction that deletes records; while a record is left,
/// the records themselves say where seqs stand), and one cursor per upstream and record kind
/// (<see cref="RecordKinds.CursorKey"/>). <c>evictions</c> holds the seq ranges of telemetry evicted at <c>max_disk</c> until every
/// upstream has sent a notice of them (<see cref="EvictedRange"/>); added without a version change, since a gateway that
/// does not know it simply sends no notices. Version 3 added <c>audit_records</c>: a version 2 file gets the empty table at
/// open, and a version 2 gateway refuses a version 3 file rather than leave its audit records behind. Version 4 added
/// the alarm side of a transition, <c>alarm_state</c> (the last published state of each alarm) and
/// <c>webhook_outbox</c> (deliveries not yet acknowledged by their receiver), formerly in <c>alarms.db</c>: a transition's
/// record, its state and its webhook deliveries commit in ONE transaction (SQLite does not commit ATTACHed WAL databases
/// atomically, https://sqlite.org/lang_attach.html), so a crash can neither repeat nor lose one. Their content is
/// migrated from <c>alarms.db</c> by <c>AlarmStateStore</c>. Version 1 (one row per reading, JSON bodies, tables
/// <c>telemetry</c> and <c>alarms</c>) is migrated at open.
/// </summary>
internal static class BufferSchema
{
    /// <summary>Stored in <c>PRAGMA user_version</c>; a file with a higher version was written by a newer gateway.</summary>
    public const int Version = 4;

    /// <summary>The version of a file written before frames.</summary>
    public const int RowPerReadingVersion = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY, count INTEGER NOT NULL, tag_table INTEGER NOT NULL, body BLOB NOT NULL, committed_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS tag_tables (id INTEGER PRIMARY KEY, device TEXT NOT NULL, tags BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS alarm_records (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, body BLOB NOT NULL, committed_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS audit_records (seq INTEGER PRIMARY KEY, body BLOB NOT NULL, committed_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS evictions (from_seq INTEGER PRIMARY KEY, to_seq INTEGER NOT NULL, readings INTEGER NOT NULL, evicted_at INTEGER NOT NULL);
        INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0);
        CREATE TABLE IF NOT EXISTS alarm_state (alarm TEXT PRIMARY KEY, state TEXT NOT NULL, since TEXT NOT NULL, ack_by TEXT, body TEXT NOT NULL, occurrence INTEGER, active_since TEXT) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS webhook_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS webhook_outbox_url ON webhook_outbox (url, id);
        """;
}
