using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>
/// Audit records (operator write attempts) in the durable buffer: numbered with the gateway-wide seqs, read back in
/// order with every field, kept per upstream until each has them, never evicted, and a damaged one skipped.
/// </summary>
public sealed class SqliteDurableBufferAuditTests
{
    private const int DamagedRecordSkippedEventId = 3010;

    private static readonly string[] s_two = ["mqtt", "console"];

    [Fact]
    public async Task Append_AuditBetweenFramesAndAlarms_TakesOneSeqEachAndReadsBackInOrderWithEveryField()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        AuditRecord written = AuditRecordOf(1) with { DeviceStatus = "IllegalDataAddress (02)", Outcome = AuditOutcome.DeviceError, Code = "device_error", Reason = "refused" };

        long first = await buffer.AppendAsync([Frame(0, 3), BufferEntry.ForAudit(written), Alarm(1), AuditEntry(2)], CancellationToken.None);

        IReadOnlyList<AuditRecord> audit = await buffer.ReadAuditAsync(0, 10, CancellationToken.None);
        Assert.Equal([first + 3, first + 5], audit.Select(a => a.Seq));
        Assert.Equal(written with { Seq = first + 3 }, audit[0]);
        Assert.Equal("a-2", audit[1].TokenId);
        BufferStatistics statistics = buffer.GetStatistics();
        Assert.Equal((2, first + 5, first + 5), (statistics.AuditCount, statistics.LastAuditSeq, statistics.LastSeq));
        Assert.Equal([first + 5], (await buffer.ReadAuditAsync(first + 3, 10, CancellationToken.None)).Select(a => a.Seq));
    }

    [Fact]
    public async Task Acknowledge_AuditOfOneOfTwoUpstreams_KeptUntilTheOtherHasItToo_CursorSurvivesReopen()
    {
        using var dir = new TempDataDirectory();
        long last;
        await using (SqliteDurableBuffer buffer = Open(dir.Path, upstreams: s_two))
        {
            last = await buffer.AppendAsync([AuditEntry(1), AuditEntry(2), AuditEntry(3)], CancellationToken.None) + 2;
            await buffer.AcknowledgeAsync("mqtt", RecordKind.Audit, last, CancellationToken.None);
            await buffer.AcknowledgeAsync("console", RecordKind.Audit, last - 1, CancellationToken.None);
            Assert.Equal(1, buffer.GetStatistics().AuditCount);
        }

        await using SqliteDurableBuffer reopened = Open(dir.Path, upstreams: s_two);
        Assert.Equal((0L, 0L, last), (reopened.GetCursor("mqtt").Telemetry, reopened.GetCursor("mqtt").Alarms, reopened.GetCursor("mqtt").Audit));
        Assert.Equal(last - 1, reopened.GetCursor("console").Audit);
        Assert.Equal([last], (await reopened.ReadAuditAsync(reopened.GetCursor("console").Audit, 10, CancellationToken.None)).Select(a => a.Seq));
        await reopened.AcknowledgeAsync("console", RecordKind.Audit, last, CancellationToken.None);
        Assert.Equal(0, reopened.GetStatistics().AuditCount);
        Assert.Empty(await reopened.ReadAuditAsync(0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Append_CapReached_EvictsTelemetryButNeverAnAuditRecord()
    {
        using var dir = new TempDataDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        await using SqliteDurableBuffer buffer = Open(dir.Path, BufferOptions.MinMaxDiskBytes, timeProvider: time);

        var auditSeqs = new List<long>();
        for (int batch = 0; buffer.GetStatistics().DroppedTelemetry == 0 || batch % 10 != 0; batch++)
        {
            Assert.True(batch < 2_000, "the cap was never reached");
            await buffer.AppendAsync(TelemetryBatch(batch * 100, 100, padding: 150), CancellationToken.None);
            auditSeqs.Add(await buffer.AppendAsync([AuditEntry(batch, padding: 200)], CancellationToken.None));
        }

        BufferStatistics statistics = buffer.GetStatistics();
        Assert.True(statistics.DroppedTelemetry > 0);
        Assert.Equal(auditSeqs.Count, statistics.AuditCount);
        Assert.Equal(auditSeqs, (await ReadAllAsync(buffer, RecordKind.Audit)).Select(r => r.Seq));
    }

    [Fact]
    public async Task Read_DamagedAuditRecord_IsReportedAndSkipped_TheOthersStillRead()
    {
        using var dir = new TempDataDirectory();
        var logger = new CollectingLogger<SqliteDurableBuffer>();
        long first;
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            first = await buffer.AppendAsync([AuditEntry(1), AuditEntry(2), AuditEntry(3)], CancellationToken.None);
        }

        // Damaged on disk: a body cut short and one with an outcome no gateway wrote.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dir.Path, BufferOptions.DefaultDatabaseFileName)};Pooling=false"))
        {
            connection.Open();
            using SqliteCommand damage = connection.CreateCommand();
            damage.CommandText = $"UPDATE audit_records SET body = substr(body, 1, 5) WHERE seq = {first}; UPDATE audit_records SET body = X'0100FF' WHERE seq = {first + 2};";
            Assert.Equal(2, damage.ExecuteNonQuery());
        }

        await using SqliteDurableBuffer reopened = Open(dir.Path, logger: logger);
        Assert.Equal([first + 1], (await reopened.ReadAuditAsync(0, 10, CancellationToken.None)).Select(a => a.Seq));
        IReadOnlyList<LogEntry> damaged = logger.WithEventId(DamagedRecordSkippedEventId);
        Assert.Equal([("audit record", first), ("audit record", first + 2)], damaged.Select(e => ((string)e.Value("Record")!, (long)e.Value("Seq")!)));

        // Reported once each, however often they are read.
        await reopened.ReadAuditAsync(0, 10, CancellationToken.None);
        Assert.Equal(2, logger.WithEventId(DamagedRecordSkippedEventId).Count);
    }

    [Fact]
    public async Task Open_Version2FileWithoutAuditTable_GetsTheTableAndKeepsEveryRecord()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, BufferOptions.DefaultDatabaseFileName);
        long first;
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            first = await buffer.AppendAsync([Frame(0, 2), Alarm(1)], CancellationToken.None);
        }

        // As the frame buffer before audit records left it.
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using SqliteCommand downgrade = connection.CreateCommand();
            downgrade.CommandText = "DROP TABLE audit_records; PRAGMA user_version = 2;";
            downgrade.ExecuteNonQuery();
        }

        await using SqliteDurableBuffer reopened = Open(dir.Path);
        Assert.Equal([first], (await ReadAllAsync(reopened, RecordKind.Telemetry)).Select(r => r.Seq));
        Assert.Equal([first + 2], (await ReadAllAsync(reopened, RecordKind.Alarm)).Select(r => r.Seq));
        Assert.Equal(first + 3, await reopened.AppendAsync([AuditEntry(1)], CancellationToken.None));
        Assert.Equal(["a-1:1.5"], (await ReadAllAsync(reopened, RecordKind.Audit)).Select(r => r.Body));
    }
}
