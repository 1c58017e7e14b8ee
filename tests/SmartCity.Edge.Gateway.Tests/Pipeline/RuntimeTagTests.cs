using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Simulator;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Tests.Pipeline;

/// <summary>
/// Tags a device names at run time (<see cref="IReadingSink.TagIndexOf"/>: SNMP walk rows, trap varbinds): the sink
/// extends the device's tag table, and the stages that keep per-tag arrays follow the longer table without losing the
/// configured tags' state.
/// </summary>
public sealed class RuntimeTagTests
{
    private static readonly DateTimeOffset s_ts = DateTimeOffset.UnixEpoch;

    private static readonly DeviceConfiguration s_device = new(
        new DeviceDescriptor("ups", "simulator", TimeSpan.FromSeconds(1), [new TagDescriptor("load", "%"), new TagDescriptor("minutes", "min")]),
        new SimulatorDriverFactory(),
        new SimulatorSettings([], 0),
        [new TagConfiguration("load", "%", Deadband: 5), new TagConfiguration("minutes", "min", Deadband: 0)]);

    [Fact]
    public async Task TagIndexOf_NewIds_FollowTheConfiguredTagsAndTheNextFrameCarriesTheLongerTable()
    {
        var channel = new ReadingChannel();
        IReadingSink sink = channel.CreateSink(s_device.Table);

        Assert.Equal(1, sink.TagIndexOf("minutes"));
        int row1 = sink.TagIndexOf("ifInOctets.1");
        int row2 = sink.TagIndexOf("ifInOctets.2");
        Assert.Equal([2, 3, 2], new[] { row1, row2, sink.TagIndexOf("ifInOctets.1") });

        ReadingFrame frame = sink.CreateFrame();
        frame.AddGood(0, TagValue.FromInt64(40), s_ts);
        frame.AddGood(row2, TagValue.FromUInt64(7), s_ts);
        await sink.PublishAsync(frame, CancellationToken.None);
        Assert.True(channel.Reader.TryRead(out PipelineFrame published));
        Assert.Equal(["load", "minutes", "ifInOctets.1", "ifInOctets.2"], published.Table.Tags.Select(t => t.Id));
        Assert.True(published.Table.StartsWith(s_device.Table));

        // No new id: the same table object again (the stages' per-table caches hit).
        ReadingFrame next = sink.CreateFrame();
        next.AddGood(row1, TagValue.FromUInt64(1), s_ts);
        await sink.PublishAsync(next, CancellationToken.None);
        Assert.True(channel.Reader.TryRead(out PipelineFrame again));
        Assert.Same(published.Table, again.Table);
    }

    [Fact]
    public void TagIndexOf_PastTheLimit_MinusOneAndTheKnownOnesStay()
    {
        IReadingSink sink = new ReadingChannel().CreateSink(s_device.Table);
        for (int i = 0; i < IReadingSink.MaxRuntimeTags; i++)
        {
            Assert.Equal(2 + i, sink.TagIndexOf("trap.1.3.6.1.4.1." + i));
        }

        Assert.Equal(-1, sink.TagIndexOf("trap.1.3.6.1.4.1.forged"));
        Assert.Equal(2, sink.TagIndexOf("trap.1.3.6.1.4.1.0"));
        Assert.Equal(0, sink.TagIndexOf("load"));
    }

    [Fact]
    public async Task PublishAsync_IndexNotHandedOut_Throws()
    {
        IReadingSink sink = new ReadingChannel().CreateSink(s_device.Table);
        ReadingFrame frame = sink.CreateFrame();
        frame.AddGood(2, TagValue.FromInt64(1), s_ts);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await sink.PublishAsync(frame, CancellationToken.None));
    }

    [Fact]
    public void ReportByException_LongerTable_KeepsDeadbandStateAndFiltersRuntimeTagsByChange()
    {
        ReportByExceptionFilter.DeviceFilter filter = new ReportByExceptionFilter([s_device]).For(s_device.Table)!;
        Assert.True(filter.ShouldPublish(TagReading.Good(0, TagValue.FromDouble(40), s_ts)));

        TagTable longer = s_device.Table.Extend(["ifInOctets.1"]);
        Assert.True(filter.Accepts(longer));
        Assert.False(filter.ShouldPublish(TagReading.Good(0, TagValue.FromDouble(42), s_ts))); // within load's deadband
        Assert.True(filter.ShouldPublish(TagReading.Good(2, TagValue.FromUInt64(10), s_ts)));
        Assert.False(filter.ShouldPublish(TagReading.Good(2, TagValue.FromUInt64(10), s_ts)));
        Assert.True(filter.ShouldPublish(TagReading.Good(2, TagValue.FromUInt64(11), s_ts)));

        // A frame published just before the table grew is still judged.
        Assert.True(filter.Accepts(s_device.Table));
        Assert.False(filter.Accepts(new TagTable("ups", [new TagTableEntry("other", TagDataType.Unknown)])));
    }

    [Fact]
    public void DeviceMonitor_LongerTableThenOlderFrame_KeepsEveryTagsLatestReading()
    {
        var monitor = new DeviceMonitor("ups", "simulator", TimeSpan.FromSeconds(1), TimeProvider.System);
        monitor.RecordFrame(s_device.Table, [TagReading.Good(0, TagValue.FromDouble(40), s_ts)]);
        TagTable longer = s_device.Table.Extend(["trap"]);
        monitor.RecordFrame(longer, [TagReading.Good(2, TagValue.FromString("1.3.6.1.2.1.33.2.1"), s_ts)]);
        monitor.RecordFrame(s_device.Table, [TagReading.Good(1, TagValue.FromInt64(9), s_ts)]);

        TagReading?[] latest = monitor.LatestReadings(s_device.Table)!;
        Assert.Equal(40, latest[0]!.Value.Value.AsDouble());
        Assert.Equal(9, latest[1]!.Value.Value.AsInt64());
        Assert.Equal("1.3.6.1.2.1.33.2.1", latest[2]!.Value.Value.AsString());
        Assert.True(monitor.TryGetLatest("trap", out TagReading trap));
        Assert.Equal(s_ts, trap.SourceTimestamp);
        Assert.Equal(3, monitor.Readings);
    }
}
