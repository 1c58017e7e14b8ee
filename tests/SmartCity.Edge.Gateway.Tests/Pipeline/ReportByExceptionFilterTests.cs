using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Simulator;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Tests.Pipeline;

public sealed class ReportByExceptionFilterTests
{
    private static readonly DateTimeOffset s_ts = DateTimeOffset.UnixEpoch;

    private static readonly DeviceConfiguration s_device = new(
        new DeviceDescriptor("d", "simulator", TimeSpan.FromSeconds(1), [new TagDescriptor("level", "%"), new TagDescriptor("open", null)]),
        new SimulatorDriverFactory(),
        new SimulatorSettings([], 0),
        [new TagConfiguration("level", "%", Deadband: 0.5), new TagConfiguration("open", null, Deadband: 0)]);

    private readonly ReportByExceptionFilter.DeviceFilter _filter = new ReportByExceptionFilter([s_device]).For(s_device.Table)!;

    [Fact]
    public void Numeric_ChangeSmallerThanDeadband_IsSuppressedUntilCumulativeChangeReachesIt()
    {
        bool[] published = new[] { 3.0, 3.2, 3.4, 3.5, 3.6, 2.9 }.Select(v => _filter.ShouldPublish(TagReading.Good(0, TagValue.FromDouble(v), s_ts))).ToArray();

        // 3.0 first; 3.2/3.4 within 0.5 of 3.0; 3.5 reaches it; 3.6 within 0.5 of 3.5; 2.9 moved 0.6.
        Assert.Equal([true, false, false, true, false, true], published);
    }

    [Fact]
    public void QualityChange_IsAlwaysPublished_EvenWithinDeadband()
    {
        Assert.True(_filter.ShouldPublish(TagReading.Good(0, TagValue.FromDouble(1), s_ts)));
        Assert.True(_filter.ShouldPublish(TagReading.Bad(0, "timeout", s_ts)));
        Assert.False(_filter.ShouldPublish(TagReading.Bad(0, "timeout", s_ts)));
        Assert.True(_filter.ShouldPublish(TagReading.Good(0, TagValue.FromDouble(1), s_ts)));
    }

    [Fact]
    public void Boolean_EveryChangePublished_RepeatsSuppressed()
    {
        bool[] published = new[] { false, false, true, true, false }.Select(v => _filter.ShouldPublish(TagReading.Good(1, TagValue.FromBoolean(v), s_ts))).ToArray();

        Assert.Equal([true, false, true, false, true], published);
    }
}

