using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// Converting a buffer written before frames (schema 1: table <c>telemetry</c> with one row and one JSON body per
/// reading, table <c>alarms</c> with JSON alarm bodies) at open, keeping every seq. Readings of one device with
/// consecutive seqs become one frame; each device gets a tag table of the tags its rows name. The conversion runs in
/// chunks, each one transaction that inserts the new rows and deletes the old ones, so it stays inside the WAL's
/// share of max_disk and a crash in the middle resumes where it stopped; the old tables are dropped at the end.
/// </summary>
internal sealed partial class SqliteDurableBuffer
{
    private const int MigrationChunk = 2_000;

    private void MigrateRowPerReading()
    {
        SqliteConnection connection = _writer!;
        bool hasTelemetry = TableExists(connection, "telemetry");
        bool hasAlarms = TableExists(connection, "alarms");
        long readings = hasTelemetry ? (long)Scalar(connection, "SELECT count(*) FROM telemetry;")! : 0;
        long alarms = hasAlarms ? (long)Scalar(connection, "SELECT count(*) FROM alarms;")! : 0;
        Log.MigrationStarted(_logger, _databasePath, readings, alarms);

        long frames = 0;
        long migratedReadings = 0;
        long migratedAlarms = 0;
        var bodies = new ArrayBufferWriter<byte>(64 * 1024);
        var writer = new FrameBodyWriter();
        while (hasTelemetry && MigrateTelemetryChunk(connection, writer, bodies, ref frames, ref migratedReadings))
        {
        }

        while (hasAlarms && MigrateAlarmChunk(connection, ref migratedAlarms))
        {
        }

        Execute(connection, "BEGIN IMMEDIATE;");
        Execute(connection, "DROP TABLE IF EXISTS telemetry; DROP TABLE IF EXISTS alarms;");
        Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {BufferSchema.Version};"));
        Execute(connection, "COMMIT;");
        Log.MigrationFinished(_logger, _databasePath, migratedReadings, frames, migratedAlarms);
    }

    /// <summary>Converts the oldest chunk of old readings; false when none was left.</summary>
    private bool MigrateTelemetryChunk(SqliteConnection connection, FrameBodyWriter writer, ArrayBufferWriter<byte> bodies, ref long frames, ref long migrated)
    {
        var rows = new List<(long Seq, string Device, string Tag, TagReading Reading)>();
        long lastSeq = 0;
        using (SqliteCommand select = connection.CreateCommand())
        {
            select.CommandText = string.Create(CultureInfo.InvariantCulture, $"SELECT seq, device, body FROM telemetry ORDER BY seq LIMIT {MigrationChunk};");
            using SqliteDataReader reader = select.ExecuteReader();
            while (reader.Read())
            {
                lastSeq = reader.GetInt64(0);
                string device = reader.GetString(1);
                try
                {
                    (string tag, TagReading reading) = ParseOldReading(reader.GetString(2));
                    rows.Add((lastSeq, device, tag, reading));
                }
                catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
                {
                    Log.MigrationRecordDropped(_logger, _databasePath, "reading", lastSeq, ex.Message);
                }
            }
        }

        if (lastSeq == 0)
        {
            return false;
        }

        // One tag table per device for the chunk: the tags its rows name, in the order they first appear.
        var tables = new Dictionary<string, TagTable>(StringComparer.Ordinal);
        foreach (IGrouping<string, (long Seq, string Device, string Tag, TagReading Reading)> device in rows.GroupBy(r => r.Device, StringComparer.Ordinal))
        {
            tables[device.Key] = new TagTable(device.Key, device.Select(r => r.Tag).Distinct(StringComparer.Ordinal).Select(t => new TagTableEntry(t, TagDataType.Unknown)));
        }

        long committedAt = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            _newTagTableIds.Clear();
            var frame = new List<TagReading>();
            for (int start = 0; start < rows.Count;)
            {
                // A frame: a run of one device's readings with consecutive seqs.
                int end = start + 1;
                while (end < rows.Count && rows[end].Device == rows[start].Device && rows[end].Seq == rows[end - 1].Seq + 1)
                {
                    end++;
                }

                TagTable table = tables[rows[start].Device];
                frame.Clear();
                for (int i = start; i < end; i++)
                {
                    table.TryGetIndex(rows[i].Tag, out int index);
                    TagReading old = rows[i].Reading;
                    frame.Add(new TagReading(index, old.Value, old.Quality, old.Reason, old.SourceTimestamp));
                }

                bodies.ResetWrittenCount();
                int[] all = Enumerable.Range(0, frame.Count).ToArray();
                writer.Write(bodies, frame.ToArray(), all);
                _insertFrame!.Execute(rows[start].Seq, frame.Count, TagTableId(table), bodies.WrittenSpan, committedAt);
                frames++;
                migrated += frame.Count;
                start = end;
            }

            using (SqliteCommand delete = connection.CreateCommand())
            {
                delete.CommandText = "DELETE FROM telemetry WHERE seq <= $through;";
                delete.Parameters.AddWithValue("$through", lastSeq);
                delete.ExecuteNonQuery();
            }

            Execute(connection, "COMMIT;");
        }
        catch
        {
            RollbackAfterFailure();
            throw;
        }

        foreach (KeyValuePair<TagTable, long> stored in _newTagTableIds)
        {
            _tagTableIds[stored.Key] = stored.Value;
        }

        return true;
    }

    /// <summary>Converts the oldest chunk of old alarm records; false when none was left.</summary>
    private bool MigrateAlarmChunk(SqliteConnection connection, ref long migrated)
    {
        var records = new List<(long Seq, AlarmRecord Record)>();
        long lastSeq = 0;
        using (SqliteCommand select = connection.CreateCommand())
        {
            select.CommandText = string.Create(CultureInfo.InvariantCulture, $"SELECT seq, body FROM alarms ORDER BY seq LIMIT {MigrationChunk};");
            using SqliteDataReader reader = select.ExecuteReader();
            while (reader.Read())
            {
                lastSeq = reader.GetInt64(0);
                try
                {
                    records.Add((lastSeq, ParseOldAlarm(reader.GetString(1))));
                }
                catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
                {
                    Log.MigrationRecordDropped(_logger, _databasePath, "alarm record", lastSeq, ex.Message);
                }
            }
        }

        if (lastSeq == 0)
        {
            return false;
        }

        long committedAt = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            foreach ((long seq, AlarmRecord record) in records)
            {
                _alarmSeq.Value = seq;
                _alarmDevice.Value = record.DeviceId;
                _alarmBody.Value = AlarmRecordCodec.Encode(record);
                _alarmCommittedAt.Value = committedAt;
                _insertAlarm.ExecuteNonQuery();
                migrated++;
            }

            using (SqliteCommand delete = connection.CreateCommand())
            {
                delete.CommandText = "DELETE FROM alarms WHERE seq <= $through;";
                delete.Parameters.AddWithValue("$through", lastSeq);
                delete.ExecuteNonQuery();
            }

            Execute(connection, "COMMIT;");
        }
        catch
        {
            RollbackAfterFailure();
            throw;
        }

        return true;
    }

    /// <summary>A schema-1 reading body (<c>"tag":…,"value":…,"quality":…[,"reason":…],"ts":…</c>); the tag index is filled in later.</summary>
    internal static (string Tag, TagReading Reading) ParseOldReading(string body)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes("{" + body + "}"));
        string? tag = null;
        TagValue value = TagValue.None;
        Quality? quality = null;
        string? reason = null;
        DateTimeOffset? ts = null;
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            Next(ref reader);
            switch (name)
            {
                case "tag":
                    tag = reader.GetString();
                    break;
                case "value":
                    value = OldValue(ref reader);
                    break;
                case "quality":
                    quality = reader.GetString() switch
                    {
                        "good" => Quality.Good,
                        "uncertain" => Quality.Uncertain,
                        "bad" => Quality.Bad,
                        string other => throw new FormatException($"quality '{other}'"),
                        null => throw new FormatException("quality null"),
                    };
                    break;
                case "reason":
                    reason = reader.GetString();
                    break;
                case "ts":
                    ts = OldTime(ref reader);
                    break;
                default:
                    throw new FormatException($"unexpected member '{name}'");
            }
        }

        return tag is null || quality is null || ts is null
            ? throw new FormatException("tag, quality or ts missing")
            : (tag, new TagReading(0, value, quality.Value, reason, ts.Value));
    }

    /// <summary>A schema-1 alarm body, as that release's AlarmEncoder wrote it.</summary>
    internal static AlarmRecord ParseOldAlarm(string body)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes("{" + body + "}"));
        string? alarm = null;
        string? device = null;
        string? message = null;
        string? tag = null;
        string? unit = null;
        string? reason = null;
        AlarmLifecycle? state = null;
        AlarmLifecycle? previous = null;
        AlarmSeverity? severity = null;
        TagValue value = TagValue.None;
        DateTimeOffset? ts = null;
        bool retired = false;
        AlarmAcknowledgement? ack = null;
        DeviceAlarmOrigin? condition = null;
        int suppressed = 0;
        long occurrence = 0;
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            Next(ref reader);
            switch (name)
            {
                case "alarm":
                    alarm = reader.GetString();
                    break;
                case "state":
                    state = AlarmLifecycleNames.FromWire(reader.GetString() ?? string.Empty) ?? throw new FormatException("unknown state");
                    break;
                case "previous":
                    previous = AlarmLifecycleNames.FromWire(reader.GetString() ?? string.Empty) ?? throw new FormatException("unknown previous state");
                    break;
                case "severity":
                    severity = Enum.TryParse(reader.GetString(), ignoreCase: true, out AlarmSeverity parsed) && Enum.IsDefined(parsed) ? parsed : throw new FormatException("unknown severity");
                    break;
                case "device":
                    device = reader.GetString();
                    break;
                case "tag":
                    tag = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                    break;
                case "value":
                    value = OldValue(ref reader);
                    break;
                case "message":
                    message = reader.GetString();
                    break;
                case "ts":
                    ts = OldTime(ref reader);
                    break;
                case "unit":
                    unit = reader.GetString();
                    break;
                case "reason":
                    reason = reader.GetString();
                    break;
                case "retired":
                    retired = reader.GetBoolean();
                    break;
                case "suppressed":
                    suppressed = reader.GetInt32();
                    break;
                case "occurrence":
                    occurrence = reader.GetInt64();
                    break;
                case "ack":
                    ack = OldAcknowledgement(ref reader);
                    break;
                case "condition":
                    condition = OldCondition(ref reader);
                    break;
                default:
                    throw new FormatException($"unexpected member '{name}'");
            }
        }

        if (alarm is null || device is null || message is null || state is null || previous is null || severity is null || ts is null)
        {
            throw new FormatException("a required member is missing");
        }

        return new AlarmRecord(alarm, state.Value, previous.Value, severity.Value, device, tag, value, message, ts.Value, unit, reason, retired, ack, condition, suppressed, occurrence);
    }

    private static AlarmAcknowledgement OldAcknowledgement(ref Utf8JsonReader reader)
    {
        Require(reader.TokenType == JsonTokenType.StartObject, "ack is not an object");
        string? by = null;
        string? comment = null;
        string? key = null;
        DateTimeOffset? at = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            Next(ref reader);
            switch (name)
            {
                case "by":
                    by = reader.GetString();
                    break;
                case "comment":
                    comment = reader.GetString();
                    break;
                case "key":
                    key = reader.GetString();
                    break;
                case "ts":
                    at = OldTime(ref reader);
                    break;
                default:
                    throw new FormatException($"unexpected member 'ack.{name}'");
            }
        }

        return by is not null && at is not null ? new AlarmAcknowledgement(by, comment, at.Value, key) : throw new FormatException("ack without by or ts");
    }

    private static DeviceAlarmOrigin OldCondition(ref Utf8JsonReader reader)
    {
        Require(reader.TokenType == JsonTokenType.StartObject, "condition is not an object");
        string? id = null;
        string? source = null;
        int? severity = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            Next(ref reader);
            switch (name)
            {
                case "id":
                    id = reader.GetString();
                    break;
                case "source":
                    source = reader.GetString();
                    break;
                case "severity":
                    severity = reader.GetInt32();
                    break;
                default:
                    throw new FormatException($"unexpected member 'condition.{name}'");
            }
        }

        return id is not null && source is not null && severity is not null ? new DeviceAlarmOrigin(id, source, severity.Value) : throw new FormatException("incomplete condition");
    }

    /// <summary>A value as schema 1 wrote it: a whole number reads back as an integer, which writes the same text.</summary>
    private static TagValue OldValue(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => TagValue.None,
        JsonTokenType.True => TagValue.FromBoolean(true),
        JsonTokenType.False => TagValue.FromBoolean(false),
        JsonTokenType.String => TagValue.FromString(reader.GetString()!),
        JsonTokenType.Number when reader.TryGetInt64(out long integer) => TagValue.FromInt64(integer),
        JsonTokenType.Number when reader.TryGetUInt64(out ulong unsigned) => TagValue.FromUInt64(unsigned),
        JsonTokenType.Number => TagValue.FromDouble(reader.GetDouble()),
        _ => throw new FormatException($"value is a {reader.TokenType}"),
    };

    private static DateTimeOffset OldTime(ref Utf8JsonReader reader) =>
        DateTimeOffset.ParseExact(reader.GetString() ?? throw new FormatException("time null"), "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static JsonTokenType Next(ref Utf8JsonReader reader) => reader.Read() ? reader.TokenType : throw new FormatException("truncated JSON");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type) => Require(Next(ref reader) == type, $"expected {type}");

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new FormatException(problem);
        }
    }
}
