using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

public sealed class SqliteDurableBuffer_ReadDelete_Tests
{
    [Fact]
    public async Task ReadOldest_ByKind_ReturnsOnlyThatKindInSeqOrderAfterGivenSeq()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        await buffer.AppendAsync([Telemetry(1), Alarm(2), Telemetry(3), Alarm(4), Telemetry(5), Telemetry(6)], CancellationToken.None);

        IReadOnlyList<BufferedRecord> alarms = await buffer.ReadOldestAsync(RecordKind.Alarm, 0, 10, CancellationToken.None);
        IReadOnlyList<BufferedRecord> firstTwo = await buffer.ReadOldestAsync(RecordKind.Telemetry, 0, 2, CancellationToken.None);
        IReadOnlyList<BufferedRecord> afterThree = await buffer.ReadOldestAsync(RecordKind.Telemetry, 3, 10, CancellationToken.None);

        Assert.Equal([2L, 4], alarms.Select(r => r.Seq));
        Assert.Equal([1L, 3], firstTwo.Select(r => r.Seq));
        Assert.Equal([5L, 6], afterThree.Select(r => r.Seq));
        Assert.Equal("dev-1", alarms[0].DeviceId);
        Assert.Empty(await buffer.ReadOldestAsync(RecordKind.Telemetry, 6, 10, CancellationToken.None));
    }

    [Fact]
    public async Task ReadOldest_UnusualStrings_RoundTripExactly()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        BufferEntry[] entries =
        [
            new(RecordKind.Telemetry, "", ""),
            new(RecordKind.Telemetry, "gerät-ü-火", "\"unit\":\"%obs/m\",\"note\":\"Rauch 🔥 \\\"zone\\\" 1\""),
            new(RecordKind.Alarm, "d", new string('x', 100_000)),
        ];

        long first = await buffer.AppendAsync(entries, CancellationToken.None);

        List<BufferedRecord> telemetry = await ReadAllAsync(buffer, RecordKind.Telemetry);
        BufferedRecord alarm = Assert.Single(await ReadAllAsync(buffer, RecordKind.Alarm));
        Assert.Equal([new BufferedRecord(first, RecordKind.Telemetry, "", ""), new BufferedRecord(first + 1, RecordKind.Telemetry, entries[1].DeviceId, entries[1].Body)], telemetry);
        Assert.Equal(new BufferedRecord(first + 2, RecordKind.Alarm, "d", entries[2].Body), alarm);
    }

    [Fact]
    public async Task DeleteThrough_AckedRange_RemovesExactlyThoseRecordsOfThatKind()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        await buffer.AppendAsync([Telemetry(1), Alarm(2), Telemetry(3), Alarm(4), Telemetry(5), Telemetry(6)], CancellationToken.None);

        await buffer.DeleteThroughAsync(RecordKind.Telemetry, 5, CancellationToken.None);

        Assert.Equal([6L], (await ReadAllAsync(buffer, RecordKind.Telemetry)).Select(r => r.Seq));
        Assert.Equal([2L, 4], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
        BufferStatistics statistics = buffer.GetStatistics();
        Assert.Equal(1, statistics.TelemetryCount);
        Assert.Equal(2, statistics.AlarmCount);

        await buffer.DeleteThroughAsync(RecordKind.Alarm, 3, CancellationToken.None);
        Assert.Equal([4L], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
        Assert.Equal(1, buffer.GetStatistics().AlarmCount);

        // Deleting an already-deleted range again is harmless and changes nothing.
        await buffer.DeleteThroughAsync(RecordKind.Telemetry, 5, CancellationToken.None);
        Assert.Equal(1, buffer.GetStatistics().TelemetryCount);
    }

    [Fact]
    public async Task DeleteThrough_Committed_SurvivesReopen()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 100), CancellationToken.None);
            await buffer.DeleteThroughAsync(RecordKind.Telemetry, 60, CancellationToken.None);
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

        Task waiting = buffer.WaitForRecordsAsync(CancellationToken.None).AsTask();
        // A commit of something else (a delete) is not an append and must not wake the waiter.
        await buffer.DeleteThroughAsync(RecordKind.Telemetry, 100, CancellationToken.None);
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

        Assert.True(buffer.WaitForRecordsAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task WaitForRecords_Cancelled_ThrowsOperationCanceled()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        using var cts = new CancellationTokenSource();

        Task waiting = buffer.WaitForRecordsAsync(cts.Token).AsTask();
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

        await buffer.DeleteThroughAsync(RecordKind.Telemetry, 1, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 0, 5, TimeSpan.Zero), buffer.GetStatistics().OldestTimestamp);
        Assert.Equal(1, buffer.GetStatistics().TelemetryCount);
    }
}
