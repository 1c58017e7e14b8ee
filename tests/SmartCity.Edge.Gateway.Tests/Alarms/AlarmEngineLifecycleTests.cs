using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>Active / acknowledged / cleared / unacknowledged_cleared, restore, and the rate limit.</summary>
public sealed class AlarmEngineLifecycleTests
{
    [Fact]
    public void Ack_ActiveAlarm_BecomesAcknowledged_ThenClearedWhenConditionGoes()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))]);
        h.Feed(11);

        (AckOutcome outcome, AlarmLifecycle state) = h.Engine.Acknowledge("a1", "desk-1", "checking");
        h.Feed(5);

        Assert.Equal(AckOutcome.Acknowledged, outcome);
        Assert.Equal(AlarmLifecycle.Acknowledged, state);
        Assert.Equal(["active", "acknowledged", "cleared"], h.States);
        Assert.Equal("desk-1", h.Events[1].Acknowledgement!.By);
        Assert.Equal("checking", h.Events[1].Acknowledgement!.Comment);
        Assert.Null(h.Events[2].Acknowledgement);
    }

    [Fact]
    public void Latch_ConditionClearsUnacknowledged_StaysShownUntilAck()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10) with { Latch = true })]);
        h.Feed(11);
        h.Feed(5);
        Assert.Equal(["active", "unacknowledged_cleared"], h.States);

        (AckOutcome outcome, _) = h.Engine.Acknowledge("a1", "desk-1", null);

        Assert.Equal(AckOutcome.Acknowledged, outcome);
        Assert.Equal(["active", "unacknowledged_cleared", "cleared"], h.States);
    }

    [Fact]
    public void Latch_TripsAgainWhileUnacknowledgedCleared_BecomesActive()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10) with { Latch = true })]);
        h.Feed(11);
        h.Feed(5);
        h.Feed(12);

        Assert.Equal(["active", "unacknowledged_cleared", "active"], h.States);
    }

    [Fact]
    public void Ack_UnknownOrClearedAlarm_IsRefusedAndPublishesNothing()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))]);

        Assert.Equal(AckOutcome.UnknownAlarm, h.Engine.Acknowledge("nope", "desk", null).Outcome);
        Assert.Equal(AckOutcome.NotAwaitingAcknowledgement, h.Engine.Acknowledge("a1", "desk", null).Outcome);
        h.Feed(11);
        h.Engine.Acknowledge("a1", "desk", null);
        Assert.Equal(AckOutcome.NotAwaitingAcknowledgement, h.Engine.Acknowledge("a1", "desk", null).Outcome);
        Assert.Equal(["active", "acknowledged"], h.States);
    }

    [Fact]
    public void Restore_ActiveAlarm_StillTrippedReading_PublishesNoDuplicateActive()
    {
        AlarmDefinition alarm = AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10));
        using var h = new AlarmEngineHarness([alarm], restored: [new AlarmSnapshot("a1", AlarmLifecycle.Active, DateTimeOffset.UnixEpoch, null)]);

        h.Feed(12);
        h.Feed(13);
        Assert.Empty(h.Events);
        Assert.Equal(AlarmLifecycle.Active, h.Engine.StateOf("a1"));
        h.Feed(3);

        Assert.Equal(["cleared"], h.States);
        Assert.Equal(AlarmLifecycle.Active, h.Events[0].Previous);
    }

    [Fact]
    public void Flapping_50HzForTenSeconds_TransitionsBoundedBySuppressionAndFinalStateArrives()
    {
        var options = AlarmOptions.Default with { MaxTransitions = 10, RateWindow = TimeSpan.FromMinutes(1) };
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(0.5))], options);

        // A toggle input with a 20 ms period for 10 s: 500 samples, 500 condition changes.
        for (int i = 0; i < 500; i++)
        {
            h.Feed(i % 2 == 0 ? 1 : 0, TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(10, h.Events.Count);
        Assert.True(h.Events.Zip(h.Events.Skip(1)).All(p => p.First.State != p.Second.State), "published states alternate");
        AlarmLifecycle internalState = h.Engine.StateOf("a1");
        Assert.Equal(AlarmLifecycle.Cleared, internalState); // last sample was 0

        // When the window opens, the state reached is published once, with the count of what was held back.
        h.Time.Advance(TimeSpan.FromMinutes(1));
        if (h.Events[^1].State != internalState)
        {
            Assert.Equal(11, h.Events.Count);
            Assert.Equal(internalState, h.Events[^1].State);
            Assert.True(h.Events[^1].Suppressed >= 489, $"suppressed {h.Events[^1].Suppressed}");
        }
        else
        {
            Assert.Equal(10, h.Events.Count);
        }
    }

    [Fact]
    public void Flapping_WithOnDelayLongerThanHalfPeriod_NeverTrips()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(0.5) with { Delay = TimeSpan.FromMilliseconds(100) })]);

        for (int i = 0; i < 500; i++)
        {
            h.Feed(i % 2 == 0 ? 1 : 0, TimeSpan.FromMilliseconds(20));
        }

        Assert.Empty(h.Events);
    }

    [Fact]
    public void Ack_IsNotRateLimited()
    {
        var options = AlarmOptions.Default with { MaxTransitions = 1, RateWindow = TimeSpan.FromMinutes(1) };
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))], options);
        h.Feed(11);

        h.Engine.Acknowledge("a1", "desk", null);

        Assert.Equal(["active", "acknowledged"], h.States);
    }
}
