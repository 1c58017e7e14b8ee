using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

public sealed class SqliteDurableBufferReadDeleteTests
{
    [Fact]
    public async Task Read_ByKind_ReturnsOnlyThatKindInSeqOrderAfterGivenSeq()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        await buffer.AppendAsync([Telemetry(1), Alarm(2), Telemetry(3), Alarm(4), Telemetry(5), Telemetry(6)], CancellationToken.None);

        IReadOnlyList<BufferedAlarm> alarms = await buffer.ReadAlarmsAsync(0, 10, CancellationToken.None);
        IReadOnlyList<BufferedFrame> firstTwo = await buffer.ReadFramesAsync(0, 2, CancellationToken.None);
        IReadOnlyList<BufferedFrame> afterThree = await buffer.ReadFramesAsync(3, 10, CancellationToken.None);

        Assert.Equal([2L, 4], alarms.Select(r => r.Seq));
        Assert.Equal([1L, 3], firstTwo.Select(r => r.FirstSeq));
        Assert.Equal([5L, 6], afterThree.Select(r => r.FirstSeq));
        Assert.Equal("dev-1", alarms[0].Record.DeviceId);
        Assert.Empty(await buffer.ReadFramesAsync(6, 10, CancellationToken.None));
    }

    [Fact]
    public async Task ReadFrames_MaxReadings_ReturnsWholeFramesUntilReachedAtLeastOne()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        await buffer.AppendAsync([Frame(0, 4), Frame(10, 4), Frame(20, 4)], CancellationToken.None);

        Assert.Equal([(1L, 4)], (await buffer.ReadFramesAsync(0, 1, CancellationToken.None)).Select(f => (f.FirstSeq, f.Count)));
        Assert.Equal([1L, 5], (await buffer.ReadFramesAsync(0, 5, CancellationToken.None)).Select(f => f.FirstSeq));
        Assert.Equal([5L, 9], (await buffer.ReadFramesAsync(4, 8, CancellationToken.None)).Select(f => f.FirstSeq));
    }

    [Fact]
    public async Task Read_UnusualStrings_RoundTripExactly()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        var table = new TagTable("gerät-ü-火", [new("", Drivers.TagDataType.String), new("Rauch 🔥 \"zone\" 1", Drivers.TagDataType.Float32)]);
        var body = new System.Buffers.ArrayBufferWriter<byte>();
        new Gateway.Buffer.Storage.FrameBodyWriter().Write(body, [Drivers.TagReading.Good(0, Drivers.TagValue.FromString(""), Timestamp), new Drivers.TagReading(1, Drivers.TagValue.FromSingle(24.864313f), Drivers.Quality.Uncertain, "Tür \"A\"\n", Timestamp)], [0, 1]);
        var alarm = new AlarmRecord("a", Gateway.Alarms.AlarmLifecycle.Active, Gateway.Alarms.AlarmLifecycle.Cleared, AlarmSeverity.Info, "d", null, Drivers.TagValue.None, new string('x', 100_000), Timestamp);

        long first = await buffer.AppendAsync([BufferEntry.Frame(table, body.WrittenMemory, 2), BufferEntry.ForAlarm(alarm)], CancellationToken.None);

        BufferedFrame frame = Assert.Single(await buffer.ReadFramesAsync(0, 10, CancellationToken.None));
        BufferedAlarm read = Assert.Single(await buffer.ReadAlarmsAsync(0, 10, CancellationToken.None));
        Assert.Equal((first, 2), (frame.FirstSeq, frame.Count));
        Assert.Equal(table, frame.Table);
        Assert.Equal(body.WrittenSpan.ToArray(), frame.Body.ToArray());
        Assert.Equal(first + 2, read.Seq);
        Assert.Equal(alarm, read.Record);
    }

    [Fact]
    public async Task Acknowledge_AckedRange_RemovesExactlyThoseRecordsOfThatKind()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        await buffer.AppendAsync([Telemetry(1), Alarm(2), Telemetry(3), Alarm(4), Telemetry(5), Telemetry(6)], CancellationToken.None);

        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, 5, CancellationToken.None);

        Assert.Equal([6L], (await ReadAllAsync(buffer, RecordKind.Telemetry)).Select(r => r.Seq));
        Assert.Equal([2L, 4], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
        BufferStatistics statistics = buffer.GetStatistics();
        Assert.Equal(1, statistics.TelemetryCount);
        Assert.Equal(2, statistics.AlarmCount);

        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Alarm, 3, CancellationToken.None);
        Assert.Equal([4L], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
        Assert.Equal(1, buffer.GetStatistics().AlarmCount);

        // Deleting an already-deleted range again is harmless and changes nothing.
        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, 5, CancellationToken.None);
        Assert.Equal(1, buffer.GetStatistics().TelemetryCount);
    }

    [Fact]
    public async Task Acknowledge_Committed_SurvivesReopen()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 100), CancellationToken.None);
            await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, 60, CancellationToken.None);
        }

        await using SqliteDurableBuffer reopened = Open(dir.Path);
        Assert.Equal(Enumerable.Range(61, 40).Select(i => (long)i), (await ReadAllAsync(reopened, RecordKind.Telemetry)).Select(r => r.Seq));
        Assert.Equal(40, reopened.GetStatistics().TelemetryCount);
    }

    [Fact]
    public async Task Dispose_WithAppendsInFlight_CommitsThemBeforeClosing()
    {
        using var dir = new TempDataDirectory();
        SqliteDurableBuffer buffer = Open(dir.Path);
        Task<long>[] inFlight = Enumerable.Range(0, 20).Select(i => buffer.AppendAsync(TelemetryBatch(i * 100, 100), CancellationToken.None).AsTask()).ToArray();

        await buffer.DisposeAsync();

        long[] firsts = await Task.WhenAll(inFlight).WaitAsync(PassingTimeout);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 1 + i * 100L), firsts.Order());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await buffer.AppendAsync([Telemetry(1)], CancellationToken.None));
        await using SqliteDurableBuffer reopened = Open(dir.Path);
        Assert.Equal(2000, reopened.GetStatistics().TelemetryCount);
    }

    [Fact]
    public async Task WaitForRecords_EmptyBuffer_CompletesOnAppendAndNotBefore()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);

        Task waiting = buffer.WaitForRecordsAsync(default, CancellationToken.None).AsTask();
        // A commit of something else (a delete) is not an append and must not wake the waiter.
        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, 100, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        await buffer.AppendAsync([Alarm(1)], CancellationToken.None);
        await waiting.WaitAsync(PassingTimeout);
    }

    [Fact]
    public async Task WaitForRecords_RecordsWaiting_CompletesAtOnce()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        await buffer.AppendAsync([Telemetry(1)], CancellationToken.None);

        Assert.True(buffer.WaitForRecordsAsync(default, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task WaitForRecords_Cancelled_ThrowsOperationCanceled()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        using var cts = new CancellationTokenSource();

        Task waiting = buffer.WaitForRecordsAsync(default, cts.Token).AsTask();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(PassingTimeout));
    }

    [Fact]
    public async Task Statistics_AfterAppendAndDelete_TrackCountsOldestAndUsedBytes()
    {
        using var dir = new TempDataDirectory();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        await using SqliteDurableBuffer buffer = Open(dir.Path, timeProvider: time);
        Assert.Null(buffer.GetStatistics().OldestTimestamp);

        await buffer.AppendAsync([Telemetry(1)], CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(5));
        await buffer.AppendAsync([Alarm(2), Telemetry(3)], CancellationToken.None);
        BufferStatistics statistics = buffer.GetStatistics();
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), statistics.OldestTimestamp);
        Assert.Equal(2, statistics.TelemetryCount);
        Assert.Equal(1, statistics.AlarmCount);
        Assert.True(statistics.UsedBytes > 0);

        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, 1, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 0, 5, TimeSpan.Zero), buffer.GetStatistics().OldestTimestamp);
        Assert.Equal(1, buffer.GetStatistics().TelemetryCount);
    }
}
