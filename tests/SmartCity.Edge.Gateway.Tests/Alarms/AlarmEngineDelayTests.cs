using SmartCity.Edge.Gateway.Alarms;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>On-delay and clear-delay run on the engine's timers: they fire without a new reading.</summary>
public sealed class AlarmEngineDelayTests
{
    [Fact]
    public void Delay_ConditionHolds_TripsWhenDelayElapsesWithoutNewReading()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10) with { Delay = TimeSpan.FromSeconds(5) })]);

        h.Feed(12);
        h.Time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Empty(h.Events);
        h.Time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(["active"], h.States);
        Assert.Equal(12, h.Events[0].Value.AsDouble());
    }

    [Fact]
    public void Delay_ConditionGoesAwayBeforeDelay_NeverTrips()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10) with { Delay = TimeSpan.FromSeconds(1) })]);

        h.Feed(12);
        h.Feed(9, TimeSpan.FromMilliseconds(900));
        h.Time.Advance(TimeSpan.FromSeconds(5));
        h.Feed(12);
        h.Time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Empty(h.Events);
    }

    [Fact]
    public void Delay_RepeatedReadingsWhilePending_DoNotRestartTheDelay()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10) with { Delay = TimeSpan.FromSeconds(1) })]);

        for (int i = 0; i < 10; i++)
        {
            h.Feed(12 + i, TimeSpan.FromMilliseconds(100)); // t = 0.1 … 1.0 s after the first
        }

        h.Time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(["active"], h.States);
        Assert.Equal(21, h.Events[0].Value.AsDouble()); // the latest value when the delay ran out
    }

    [Fact]
    public void ClearDelay_ConditionGone_ClearsOnlyAfterClearDelay()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10) with { ClearDelay = TimeSpan.FromSeconds(2) })]);

        h.Feed(12);
        h.Feed(5);
        h.Time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(["active"], h.States);
        h.Feed(11, TimeSpan.FromMilliseconds(100)); // back before the clear delay ran out: cancels it
        h.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(["active"], h.States);
        h.Feed(5);
        h.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(["active", "cleared"], h.States);
        Assert.Equal(5, h.Events[1].Value.AsDouble());
    }
}
