using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

public sealed class SqliteDurableBufferEvictionTests
{
    private const int TelemetryEvictedEventId = 3002;
    private const int AlarmsExceedCapEventId = 3003;
    private const long Cap = BufferOptions.MinMaxDiskBytes;

    [Fact]
    public async Task Append_CapReached_EvictsOldestTelemetryCountsItAndKeepsAlarms()
    {
        using var dir = new TempDataDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using SqliteDurableBuffer buffer = Open(dir.Path, Cap, logger, time);

        long firstAlarm = await buffer.AppendAsync([Alarm(1), Alarm(2), Alarm(3)], CancellationToken.None);
        long telemetryAppended = 0;
        long lastSeq = 0;
        int batchesAfterFirstEviction = 0;
        for (int batch = 0; batchesAfterFirstEviction < 20; batch++)
        {
            Assert.True(batch < 1_000, "the cap was never reached");
            if (buffer.GetStatistics().DroppedTelemetry > 0)
            {
                batchesAfterFirstEviction++;
            }

            lastSeq = await buffer.AppendAsync(TelemetryBatch(batch * 100, 100, padding: 150), CancellationToken.None) + 99;
            telemetryAppended += 100;
        }

        BufferStatistics statistics = buffer.GetStatistics();
        Assert.True(statistics.DroppedTelemetry > 0);
        Assert.True(statistics.UsedBytes < statistics.CapacityBytes, $"used {statistics.UsedBytes} bytes, records' share of the cap {statistics.CapacityBytes}");
        Assert.True(statistics.DiskBytes <= Cap, $"files take {statistics.DiskBytes} bytes, cap {Cap}");
        Assert.Equal(telemetryAppended, statistics.DroppedTelemetry + statistics.TelemetryCount);

        // Alarms all kept; the telemetry left is exactly the newest, without gaps: only the oldest went.
        Assert.Equal([firstAlarm, firstAlarm + 1, firstAlarm + 2], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
        List<StoredRecord> telemetry = await ReadAllAsync(buffer, RecordKind.Telemetry);
        Assert.Equal(statistics.TelemetryCount, telemetry.Count);
        Assert.Equal(lastSeq, telemetry[^1].Seq);
        Assert.Equal(telemetry[^1].Seq - telemetry.Count + 1, telemetry[0].Seq);

        // Time stood still: one warning, at the first eviction, with that eviction's count.
        IReadOnlyList<LogEntry> warnings = logger.WithEventId(TelemetryEvictedEventId);
        Assert.Single(warnings);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warnings[0].Level);
        Assert.True((long)warnings[0].Value("DroppedCount")! > 0);
        Assert.True((long)warnings[0].Value("DroppedCount")! < statistics.DroppedTelemetry, "later evictions should not have been logged yet");
    }

    [Fact]
    public async Task EvictionWarning_WithinAMinute_IsSummedAndLoggedOnceWhenTheMinutePasses()
    {
        using var dir = new TempDataDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using SqliteDurableBuffer buffer = Open(dir.Path, Cap, logger, time);

        int next = 0;
        async Task AppendUntilMoreDroppedAsync()
        {
            long before = buffer.GetStatistics().DroppedTelemetry;
            while (buffer.GetStatistics().DroppedTelemetry == before)
            {
                Assert.True(next < 100_000, "no eviction happened");
                await buffer.AppendAsync(TelemetryBatch(next, 100, padding: 150), CancellationToken.None);
                next += 100;
            }
        }

        await AppendUntilMoreDroppedAsync();
        long firstReported = buffer.GetStatistics().DroppedTelemetry;
        Assert.Single(logger.WithEventId(TelemetryEvictedEventId));
        Assert.Equal(firstReported, (long)logger.WithEventId(TelemetryEvictedEventId)[0].Value("DroppedCount")!);

        time.Advance(TimeSpan.FromSeconds(30));
        await AppendUntilMoreDroppedAsync();
        await AppendUntilMoreDroppedAsync();
        Assert.Single(logger.WithEventId(TelemetryEvictedEventId));

        // The minute passes with no further eviction: the timer reports what was dropped since the first warning.
        time.Advance(TimeSpan.FromSeconds(30));
        IReadOnlyList<LogEntry> warnings = logger.WithEventId(TelemetryEvictedEventId);
        Assert.Equal(2, warnings.Count);
        long total = buffer.GetStatistics().DroppedTelemetry;
        Assert.Equal(total - firstReported, (long)warnings[1].Value("DroppedCount")!);
        Assert.Equal(total, (long)warnings[1].Value("DroppedTotal")!);

        // Nothing pending: another minute brings no empty report.
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(2, logger.WithEventId(TelemetryEvictedEventId).Count);
    }

    [Fact]
    public async Task Append_AlarmsAloneOverCap_KeepsEveryAlarmAndWarns()
    {
        using var dir = new TempDataDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        var logger = new CollectingLogger<SqliteDurableBuffer>();
        const long SmallCap = BufferOptions.MinMaxDiskBytes;
        await using SqliteDurableBuffer buffer = Open(dir.Path, SmallCap, logger, time);

        var alarmSeqs = new List<long>();
        for (int i = 0; i < 150; i++)
        {
            await buffer.AppendAsync(TelemetryBatch(i * 10, 10, padding: 100), CancellationToken.None);
            BufferEntry[] alarms = Enumerable.Range(0, 5).Select(j => Alarm(i * 5 + j, padding: 1000)).ToArray();
            long first = await buffer.AppendAsync(alarms, CancellationToken.None);
            alarmSeqs.AddRange(Enumerable.Range(0, 5).Select(j => first + j));
        }

        BufferStatistics statistics = buffer.GetStatistics();
        Assert.True(statistics.UsedBytes > statistics.CapacityBytes, "the alarms alone should exceed the records' share of the cap");
        Assert.Equal(750, statistics.AlarmCount);
        Assert.Equal(alarmSeqs, (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
        Assert.Equal(0, statistics.TelemetryCount);
        Assert.Equal(1500, statistics.DroppedTelemetry);
        Assert.Single(logger.WithEventId(AlarmsExceedCapEventId));
    }
}
