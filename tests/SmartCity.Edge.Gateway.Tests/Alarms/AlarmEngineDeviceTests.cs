using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>Built-in offline and bad-quality alarms.</summary>
public sealed class AlarmEngineDeviceTests
{
    private static AlarmDefinition Offline(int after) => new(
        BuiltInAlarmIds.Offline(AlarmEngineHarness.Device), AlarmKind.Offline, AlarmEngineHarness.Device, null, null, AlarmSeverity.High,
        AlarmOptions.DefaultOfflineMessage, TimeSpan.Zero, TimeSpan.Zero, false, [], OfflineAfter: after);

    private static AlarmDefinition BadQuality(TimeSpan delay) => new(
        BuiltInAlarmIds.BadQuality(AlarmEngineHarness.Device), AlarmKind.BadQuality, AlarmEngineHarness.Device, null, null, AlarmSeverity.Warning,
        AlarmOptions.DefaultBadQualityMessage, delay, TimeSpan.Zero, false, []);

    [Fact]
    public void Offline_AfterConfiguredFailedPolls_TripsWithReason_ClearsWhenOnline()
    {
        using var h = new AlarmEngineHarness([Offline(3)]);
        DateTimeOffset now = h.Time.GetUtcNow();

        h.Engine.OnDevicePollFailed(AlarmEngineHarness.Device, 1, "connection refused", now);
        h.Engine.OnDevicePollFailed(AlarmEngineHarness.Device, 2, "connection refused", now);
        Assert.Empty(h.Events);
        h.Engine.OnDevicePollFailed(AlarmEngineHarness.Device, 3, "connection refused", now);
        h.Engine.OnDevicePollFailed(AlarmEngineHarness.Device, 4, "connection refused", now);
        Assert.Equal(["active"], h.States);
        Assert.Equal("Device dev-1 is offline: connection refused", h.Events[0].Message);
        Assert.Equal("connection refused", h.Events[0].Reason);

        h.Engine.OnDeviceOnline(AlarmEngineHarness.Device, now);

        Assert.Equal(["active", "cleared"], h.States);
    }

    [Fact]
    public void BadQuality_TagBadLongerThanDelay_Trips_ClearsWhenGoodAgain()
    {
        using var h = new AlarmEngineHarness([BadQuality(TimeSpan.FromSeconds(2))]);

        h.FeedBad("IllegalDataAddress (02)");
        h.Time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Empty(h.Events);
        h.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(["active"], h.States);
        Assert.Equal("t1", h.Events[0].Tag);
        Assert.Equal("IllegalDataAddress (02)", h.Events[0].Reason);

        h.Feed(1);

        Assert.Equal(["active", "cleared"], h.States);
    }

    [Fact]
    public void BadQuality_StaleReadingsOfAnOfflineDevice_DoNotTripIt()
    {
        using var h = new AlarmEngineHarness([BadQuality(TimeSpan.Zero), Offline(3)]);

        h.Engine.OnDevicePollFailed(AlarmEngineHarness.Device, 1, "timeout", h.Time.GetUtcNow());
        h.FeedBad("timeout");

        Assert.Empty(h.Events);
    }
}
