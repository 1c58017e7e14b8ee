using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>A configuration reload swapping the alarm set: kept alarms keep their state, new ones start, removed ones retire.</summary>
public sealed class AlarmEngineReconfigureTests
{
    [Fact]
    public void Reconfigure_UnchangedActiveAlarm_KeepsItsStateAndPublishesNothing()
    {
        AlarmDefinition rule = AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10));
        using var h = new AlarmEngineHarness([rule]);
        h.Feed(11);

        h.Reconfigure([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))]);
        h.Feed(12);
        h.Feed(5);

        // One "active" only: the reload did not raise it again, and the kept state still clears.
        Assert.Equal(["active", "cleared"], h.States);
    }

    [Fact]
    public void Reconfigure_ChangedThreshold_JudgesTheNextReadingByTheNewRule()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))]);
        h.Feed(11);

        h.Reconfigure([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(20))]);
        h.Feed(11);

        Assert.Equal(["active", "cleared"], h.States);
        Assert.Equal(20, h.Events[^1].Alarm.Rule!.Threshold.AsDouble());
    }

    [Fact]
    public void Reconfigure_AddedAlarm_FiresOnTheNextReading()
    {
        using var h = new AlarmEngineHarness([]);
        h.Feed(11);
        Assert.Empty(h.Events);

        h.Reconfigure([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "new"))]);
        h.Feed(11);

        AlarmEvent raised = Assert.Single(h.Events);
        Assert.Equal(("new", AlarmLifecycle.Active), (raised.Alarm.Id, raised.State));
        Assert.Contains("new", h.Engine.AlarmIds);
    }

    [Fact]
    public void Reconfigure_RemovedActiveAlarm_PublishesAFinalClearAndForgetsIt()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "gone")), AlarmEngineHarness.Rule(AlarmEngineHarness.Above(50, "kept"))]);
        h.Feed(11);

        h.Reconfigure([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(50, "kept"))]);
        h.Feed(12);

        Assert.Equal([("gone", "active"), ("gone", "cleared")], h.Events.Select(e => (e.Alarm.Id, e.State.ToWire())));
        Assert.DoesNotContain("gone", h.Engine.AlarmIds);
        Assert.Equal(AckOutcome.UnknownAlarm, h.Engine.Acknowledge("gone", "desk", null).Outcome);
    }

    [Fact]
    public void Reconfigure_RemovedAlarmWaitingForItsDelay_NeverFires()
    {
        AlarmRule delayed = AlarmEngineHarness.Above(10, "slow") with { Delay = TimeSpan.FromSeconds(5) };
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(delayed)]);
        h.Feed(11);

        h.Reconfigure([]);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Empty(h.Events);
    }

    [Fact]
    public void Reconfigure_DeviceThatStoppedAnswering_StaysKnownAsFailing()
    {
        AlarmDefinition badQuality = new(
            BuiltInAlarmIds.BadQuality(AlarmEngineHarness.Device), AlarmKind.BadQuality, AlarmEngineHarness.Device, null, null, AlarmSeverity.Warning,
            AlarmOptions.DefaultBadQualityMessage, TimeSpan.Zero, TimeSpan.Zero, Latch: false, []);
        using var h = new AlarmEngineHarness([badQuality]);
        h.Engine.OnDevicePollFailed(AlarmEngineHarness.Device, 1, "timeout", h.Time.GetUtcNow());

        h.Reconfigure([badQuality with { Severity = AlarmSeverity.High }]);
        h.FeedBad("timeout");

        // The supervisor's stale readings of a device that stopped answering are still not "bad data" after the reload.
        Assert.Empty(h.Events);
        h.Engine.OnDeviceOnline(AlarmEngineHarness.Device, h.Time.GetUtcNow());
        h.FeedBad("sensor fault");
        Assert.Equal((AlarmLifecycle.Active, AlarmSeverity.High), (Assert.Single(h.Events).State, h.Events[0].Alarm.Severity));
    }
}
