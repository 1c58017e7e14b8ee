using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>Per-upstream cursors: a record is deleted only once every configured upstream acknowledged it.</summary>
public sealed class SqliteDurableBufferCursorTests
{
    private static readonly string[] s_two = ["mqtt", "sparkplug"];

    [Fact]
    public async Task Acknowledge_OneOfTwoUpstreams_KeepsTheRecordsUntilTheOtherHasThemToo()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path, upstreams: s_two);
        await buffer.AppendAsync([Frame(0, 3), Alarm(1), Frame(10, 2)], CancellationToken.None);

        await buffer.AcknowledgeAsync("mqtt", RecordKind.Telemetry, 6, CancellationToken.None);
        await buffer.AcknowledgeAsync("mqtt", RecordKind.Alarm, 4, CancellationToken.None);

        Assert.Equal([1L, 5], (await ReadAllAsync(buffer, RecordKind.Telemetry)).Select(f => f.Seq));
        Assert.Equal(1, buffer.GetStatistics().AlarmCount);
        Assert.Equal(new UpstreamCursor(6, 4), buffer.GetCursor("mqtt"));
        Assert.Equal(new UpstreamCursor(0, 0), buffer.GetCursor("sparkplug"));

        // The other upstream reads from its own position, and acknowledging the first frame deletes just that one.
        Assert.Equal([1L, 5], (await buffer.ReadFramesAsync(0, 100, CancellationToken.None)).Select(f => f.FirstSeq));
        await buffer.AcknowledgeAsync("sparkplug", RecordKind.Telemetry, 3, CancellationToken.None);
        Assert.Equal([5L], (await ReadAllAsync(buffer, RecordKind.Telemetry)).Select(f => f.Seq));
        Assert.Equal(2, buffer.GetStatistics().TelemetryCount);

        await buffer.AcknowledgeAsync("sparkplug", RecordKind.Telemetry, 6, CancellationToken.None);
        await buffer.AcknowledgeAsync("sparkplug", RecordKind.Alarm, 4, CancellationToken.None);
        BufferStatistics statistics = buffer.GetStatistics();
        Assert.Equal((0, 0, 0), (statistics.TelemetryCount, statistics.TelemetryFrames, statistics.AlarmCount));
    }

    [Fact]
    public async Task Acknowledge_ThroughASeqInsideAFrame_KeepsTheFrameUntilItsLastReadingIsAcknowledged()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        await buffer.AppendAsync([Frame(0, 4), Frame(10, 4)], CancellationToken.None);

        // The first message of a frame split in two was acknowledged, the second not yet.
        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, 6, CancellationToken.None);

        Assert.Equal([5L], (await ReadAllAsync(buffer, RecordKind.Telemetry)).Select(f => f.Seq));
        Assert.Equal(4, buffer.GetStatistics().TelemetryCount);
        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, 8, CancellationToken.None);
        Assert.Empty(await ReadAllAsync(buffer, RecordKind.Telemetry));
    }

    [Fact]
    public async Task Cursor_AfterReopen_IsWhereItWasAndNeverMovesBack()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path, upstreams: s_two))
        {
            await buffer.AppendAsync([Frame(0, 5), Alarm(1), Alarm(2)], CancellationToken.None);
            await buffer.AcknowledgeAsync("sparkplug", RecordKind.Telemetry, 5, CancellationToken.None);
            await buffer.AcknowledgeAsync("sparkplug", RecordKind.Alarm, 6, CancellationToken.None);
            await buffer.AcknowledgeAsync("sparkplug", RecordKind.Alarm, 2, CancellationToken.None);
        }

        await using SqliteDurableBuffer reopened = Open(dir.Path, upstreams: s_two);
        Assert.Equal(new UpstreamCursor(5, 6), reopened.GetCursor("sparkplug"));
        Assert.Equal(new UpstreamCursor(0, 0), reopened.GetCursor("mqtt"));
        Assert.Equal(5, reopened.GetStatistics().TelemetryCount);
        Assert.Equal(2, reopened.GetStatistics().AlarmCount);
    }

    [Fact]
    public async Task Open_UpstreamNoLongerConfigured_DropsItsCursorAndDeletesWhatTheOthersHave()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path, upstreams: s_two))
        {
            await buffer.AppendAsync([Frame(0, 5), Frame(10, 5), Alarm(1)], CancellationToken.None);
            await buffer.AcknowledgeAsync("mqtt", RecordKind.Telemetry, 10, CancellationToken.None);
            await buffer.AcknowledgeAsync("mqtt", RecordKind.Alarm, 11, CancellationToken.None);
            Assert.Equal(10, buffer.GetStatistics().TelemetryCount); // sparkplug still needs them
        }

        await using SqliteDurableBuffer reopened = Open(dir.Path, upstreams: ["mqtt"]);
        Assert.Equal(0, reopened.GetStatistics().TelemetryCount + reopened.GetStatistics().AlarmCount);
        Assert.Throws<ArgumentException>(() => reopened.GetCursor("sparkplug"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await reopened.AcknowledgeAsync("sparkplug", RecordKind.Alarm, 11, CancellationToken.None));
    }

    [Fact]
    public async Task Open_NewUpstream_GetsEveryRecordStillWaiting()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path, upstreams: ["mqtt"]))
        {
            await buffer.AppendAsync([Frame(0, 5), Frame(10, 5)], CancellationToken.None);
            await buffer.AcknowledgeAsync("mqtt", RecordKind.Telemetry, 5, CancellationToken.None);
        }

        await using SqliteDurableBuffer reopened = Open(dir.Path, upstreams: s_two);
        Assert.Equal(new UpstreamCursor(0, 0), reopened.GetCursor("sparkplug"));
        Assert.Equal([6L], (await reopened.ReadFramesAsync(reopened.GetCursor("sparkplug").Telemetry, 100, CancellationToken.None)).Select(f => f.FirstSeq));
        Assert.Equal(new UpstreamCursor(5, 0), reopened.GetCursor("mqtt"));
    }

    [Fact]
    public async Task WaitForRecords_RecordsOnlyBehindTheGivenPosition_WaitsForANewOne()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        await buffer.AppendAsync([Frame(0, 3), Alarm(1)], CancellationToken.None);

        Task caughtUp = buffer.WaitForRecordsAsync(new UpstreamCursor(3, 4), CancellationToken.None).AsTask();
        Assert.True(buffer.WaitForRecordsAsync(new UpstreamCursor(3, 0), CancellationToken.None).IsCompleted);
        Assert.True(buffer.WaitForRecordsAsync(new UpstreamCursor(2, 4), CancellationToken.None).IsCompleted);
        Assert.False(caughtUp.IsCompleted);

        await buffer.AppendAsync([Frame(5, 1)], CancellationToken.None);
        await caughtUp.WaitAsync(PassingTimeout);
    }

    [Fact]
    public void Options_UpstreamNames_MustBeUniqueAndPlain()
    {
        Assert.NotEmpty(new BufferOptions { DataDirectory = "d", Upstreams = [] }.Validate());
        Assert.NotEmpty(new BufferOptions { DataDirectory = "d", Upstreams = ["mqtt", "mqtt"] }.Validate());
        Assert.NotEmpty(new BufferOptions { DataDirectory = "d", Upstreams = ["a/b"] }.Validate());
        Assert.Empty(new BufferOptions { DataDirectory = "d", Upstreams = s_two }.Validate());
    }
}
