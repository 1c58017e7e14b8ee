using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Gateway.Upstream.Json;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>
/// A <c>buffer.db</c> written by the release before frames (schema 1: a row and a JSON body per reading) is converted
/// at open with nothing lost: the same seqs, and upstream gets the same bytes that release would have sent.
/// </summary>
public sealed class BufferMigrationTests
{
    private const int MigrationFinishedEventId = 3012;
    private const int RecordDroppedEventId = 3013;

    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Buffer", "Fixtures", "v1");

    [Fact]
    public async Task Open_BufferOfTheRowPerReadingRelease_PublishesExactlyWhatThatReleasePublished()
    {
        using var dir = new TempDataDirectory();
        File.Copy(Path.Combine(Fixture, "buffer.db"), Path.Combine(dir.Path, "buffer.db"));
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture, "expected.json")));
        var logger = new CollectingLogger<SqliteDurableBuffer>();

        await using (SqliteDurableBuffer buffer = Open(dir.Path, logger: logger, upstreams: ["mqtt"]))
        {
            Assert.Single(logger.WithEventId(MigrationFinishedEventId));
            Assert.Equal(expected.RootElement.GetProperty("last_seq").GetInt64(), buffer.GetStatistics().LastSeq);
            var encoder = new JsonUpstreamEncoder(new UpstreamTopics("smartcity/dai-an/hd-park-01"), "hd-park-01", 500);

            // Alarms: every message, in order, byte for byte.
            var alarmMessages = new List<UpstreamMessage>();
            encoder.EncodeAlarms(await buffer.ReadAlarmsAsync(0, 100, CancellationToken.None), alarmMessages);
            Assert.Equal(
                expected.RootElement.GetProperty("alarm_messages").EnumerateArray().Select(m => (m.GetProperty("topic").GetString(), m.GetProperty("retain").GetBoolean(), m.GetProperty("payload").GetString())),
                alarmMessages.Select(m => ((string?)m.Topic, m.Retain, (string?)Encoding.UTF8.GetString(m.Payload.Span))));

            // Telemetry: every reading object with its topic and seq, byte for byte (batching into messages may differ).
            var telemetry = new List<UpstreamMessage>();
            encoder.EncodeTelemetry(await buffer.ReadFramesAsync(0, 1000, CancellationToken.None), telemetry);
            var published = telemetry
                .SelectMany(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("readings").EnumerateArray().Select(r => (Topic: m.Topic, Reading: r.GetRawText(), Seq: r.GetProperty("seq").GetInt64())))
                .OrderBy(r => r.Seq)
                .Select(r => (r.Topic, r.Reading));
            Assert.Equal(
                expected.RootElement.GetProperty("readings").EnumerateArray().Select(r => (r.GetProperty("topic").GetString()!, r.GetProperty("reading").GetString()!)),
                published);

            // The next record continues above the old release's high-water mark.
            Assert.Equal(expected.RootElement.GetProperty("last_seq").GetInt64() + 1, await buffer.AppendAsync([Telemetry(1)], CancellationToken.None));
        }

        // Converted once: a second open finds the current schema and the same records, and does not convert again.
        await using SqliteDurableBuffer reopened = Open(dir.Path, logger: logger, upstreams: ["mqtt"]);
        Assert.Single(logger.WithEventId(MigrationFinishedEventId));
        Assert.Equal(expected.RootElement.GetProperty("readings").GetArrayLength() + 1, reopened.GetStatistics().TelemetryCount);
        Assert.Equal(5, reopened.GetStatistics().AlarmCount);
        Assert.Equal(BufferSchema.Version, UserVersion(reopened.DatabasePath));
    }

    [Fact]
    public async Task Open_LargeRowPerReadingBuffer_ConvertsInChunksIntoFramesOfConsecutiveSeqsKeepingEverySeq()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");

        // The schema-1 layout and bodies as that release wrote them: 5,000 readings of three devices, interleaved in
        // runs, with gaps where the broker had acknowledged some, and alarms in between.
        var expected = new List<(long Seq, string Device, string Tag, long Value)>();
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            Execute(connection, """
                CREATE TABLE telemetry (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, body TEXT NOT NULL, committed_at INTEGER NOT NULL);
                CREATE TABLE alarms (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, body TEXT NOT NULL, committed_at INTEGER NOT NULL);
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO meta (key, value) VALUES ('last_seq', 7000);
                PRAGMA user_version = 1;
                BEGIN;
                """);
            long seq = 100;
            for (int i = 0; i < 5_000; i++)
            {
                seq += i % 97 == 0 ? 3 : 1;
                string device = "dev-" + (i / 7 % 3);
                string tag = "t" + (i % 11);
                Execute(connection, $"INSERT INTO telemetry VALUES ({seq}, '{device}', '\"tag\":\"{tag}\",\"value\":{i},\"quality\":\"good\",\"ts\":\"2026-11-25T12:00:00.123Z\"', 0);");
                expected.Add((seq, device, tag, i));
            }

            Execute(connection, "INSERT INTO alarms VALUES (6999, 'dev-1', '\"alarm\":\"a\",\"state\":\"active\",\"severity\":\"high\",\"device\":\"dev-1\",\"tag\":null,\"value\":null,\"message\":\"m\",\"ts\":\"2026-11-25T12:00:00.123Z\",\"previous\":\"cleared\"', 0); COMMIT;");
        }

        await using SqliteDurableBuffer buffer = Open(dir.Path);

        BufferStatistics statistics = buffer.GetStatistics();
        Assert.Equal((5_000, 1, 7_000L), (statistics.TelemetryCount, statistics.AlarmCount, statistics.LastSeq));
        List<StoredRecord> frames = await ReadAllAsync(buffer, RecordKind.Telemetry);
        Assert.True(frames.Count < 5_000 / 5, $"{frames.Count} frames: runs of one device's consecutive readings were not put together");
        var read = frames.SelectMany(f => f.Body.Split(';').Select((reading, i) => (Seq: f.Seq + i, f.DeviceId, Tag: reading.Split('=')[0], Value: long.Parse(reading.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture)))).ToList();
        Assert.Equal(expected, read);
        Assert.Equal([6999L], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(a => a.Seq));
    }

    [Fact]
    public async Task Open_RowPerReadingBodyThatCannotBeRead_IsDroppedAndLoggedTheOthersConverted()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            Execute(connection, """
                CREATE TABLE telemetry (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, body TEXT NOT NULL, committed_at INTEGER NOT NULL);
                CREATE TABLE alarms (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, body TEXT NOT NULL, committed_at INTEGER NOT NULL);
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO meta (key, value) VALUES ('last_seq', 4);
                INSERT INTO telemetry VALUES (1, 'd', '"tag":"a","value":1,"quality":"good","ts":"2026-11-25T12:00:00.123Z"', 0);
                INSERT INTO telemetry VALUES (2, 'd', '"tag":"a","value":', 0);
                INSERT INTO telemetry VALUES (3, 'd', '"tag":"a","value":3,"quality":"good","ts":"2026-11-25T12:00:00.123Z"', 0);
                INSERT INTO alarms VALUES (4, 'd', '"alarm":"x","state":"sideways"', 0);
                PRAGMA user_version = 1;
                """);
        }

        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using SqliteDurableBuffer buffer = Open(dir.Path, logger: logger);

        Assert.Equal([2L, 4], logger.WithEventId(RecordDroppedEventId).Select(e => (long)e.Value("Seq")!));
        Assert.Equal([1L, 3], await ReadingSeqsAsync(buffer));
        Assert.Equal(0, buffer.GetStatistics().AlarmCount);
        Assert.Equal(5, await buffer.AppendAsync([Telemetry(5)], CancellationToken.None));
    }

    private static long UserVersion(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
