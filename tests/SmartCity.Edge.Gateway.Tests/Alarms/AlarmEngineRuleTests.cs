using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>Each rule type trips and clears at the right values, with hysteresis.</summary>
public sealed class AlarmEngineRuleTests
{
    [Fact]
    public void Above_TripsOnlyAboveThreshold_ClearsAtOrBelowClearBelow()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10) with { ClearBelow = 8 })]);

        h.Feed(9);
        h.Feed(10); // equal is not above
        Assert.Empty(h.Events);
        h.Feed(10.1);
        Assert.Equal(["active"], h.States);
        Assert.Equal(10.1, h.Events[0].Value.AsDouble());
        h.Feed(9);
        h.Feed(8.01); // inside the hysteresis band: stays active
        h.Feed(11);
        Assert.Single(h.Events);
        h.Feed(8);
        Assert.Equal(["active", "cleared"], h.States);
        Assert.Equal(8, h.Events[1].Value.AsDouble());
        Assert.Equal(AlarmLifecycle.Active, h.Events[1].Previous);
    }

    [Fact]
    public void Frame_ReadingsOfSeveralTags_EachRuleJudgesItsOwnTagInFrameOrder()
    {
        using var h = new AlarmEngineHarness([
            AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "t1-high")),
            AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "t3-high") with { TagId = "t3" }),
        ]);

        // t3 crosses, t2 (no rule) and t1 stay below; then t1 goes up and down within one frame.
        h.FeedFrame(("t1", 5), ("t2", 50), ("t3", 11));
        h.FeedFrame(("t1", 12), ("t3", 11), ("t1", 3));

        Assert.Equal([("t3-high", "active"), ("t1-high", "active"), ("t1-high", "cleared")], h.Events.Select(e => (e.Alarm.Id, e.State.ToWire())));
        Assert.Equal(["t3", "t1", "t1"], h.Events.Select(e => e.Tag));
        Assert.Equal([11.0, 12, 3], h.Events.Select(e => e.Value.AsDouble()));
    }

    [Fact]
    public void Above_WithoutClearBelow_ClearsAtTheTripPoint()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))]);

        h.Feed(11);
        h.Feed(10);

        Assert.Equal(["active", "cleared"], h.States);
    }

    [Fact]
    public void Below_TripsBelowThreshold_ClearsAtOrAboveClearAbove()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Below(20) with { ClearAbove = 22 })]);

        h.Feed(20);
        Assert.Empty(h.Events);
        h.Feed(19.9);
        h.Feed(21.9);
        Assert.Equal(["active"], h.States);
        h.Feed(22);
        Assert.Equal(["active", "cleared"], h.States);
    }

    [Fact]
    public void Equals_Boolean_TripsOnTrue_ClearsOnFalse()
    {
        var rule = new AlarmRule("door", AlarmEngineHarness.Device, AlarmEngineHarness.Tag, AlarmCondition.EqualTo, TagValue.FromBoolean(true), AlarmSeverity.Warning, "door");
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(rule)]);

        h.Feed(TagValue.FromBoolean(false));
        h.Feed(TagValue.FromBoolean(true));
        h.Feed(TagValue.FromBoolean(true));
        h.Feed(TagValue.FromBoolean(false));

        Assert.Equal(["active", "cleared"], h.States);
    }

    [Fact]
    public void Equals_String_ComparesText()
    {
        var rule = new AlarmRule("ups", AlarmEngineHarness.Device, AlarmEngineHarness.Tag, AlarmCondition.EqualTo, TagValue.FromString("on_battery"), AlarmSeverity.High, "ups");
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(rule)]);

        h.Feed(TagValue.FromString("online"));
        h.Feed(TagValue.FromString("on_battery"));

        Assert.Equal(["active"], h.States);
    }

    [Fact]
    public void Outside_TripsBelowLowAndAboveHigh_ClearsInsideTheHysteresisBand()
    {
        var rule = new AlarmRule("temp", AlarmEngineHarness.Device, AlarmEngineHarness.Tag, AlarmCondition.Outside, TagValue.FromDouble(18), AlarmSeverity.Warning, "temp")
        {
            High = 26,
            ClearAbove = 19,
            ClearBelow = 25,
        };
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(rule)]);

        h.Feed(18);
        h.Feed(26);
        Assert.Empty(h.Events);
        h.Feed(17.9);
        h.Feed(18.5); // back inside [lo, hi] but not yet at clear_above
        Assert.Equal(["active"], h.States);
        h.Feed(19);
        h.Feed(26.5);
        h.Feed(25.5);
        Assert.Equal(["active", "cleared", "active"], h.States);
        h.Feed(25);
        Assert.Equal(["active", "cleared", "active", "cleared"], h.States);
    }

    [Fact]
    public void RateOfChange_Rising_TripsAbovePerSecondRate_ClearsWhenSlower()
    {
        var rule = new AlarmRule("rise", AlarmEngineHarness.Device, AlarmEngineHarness.Tag, AlarmCondition.RateOfChange, TagValue.FromDouble(5), AlarmSeverity.High, "rise")
        {
            ClearBelow = 1,
        };
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(rule)]);
        TimeSpan second = TimeSpan.FromSeconds(1);

        h.Feed(0, second); // first sample: no rate yet
        h.Feed(5, second); // 5/s: not above 5
        Assert.Empty(h.Events);
        h.Feed(10.5, TimeSpan.FromMilliseconds(500)); // 11/s
        Assert.Equal(["active"], h.States);
        h.Feed(12, second); // 1.5/s: above clear_below, stays
        Assert.Single(h.Events);
        h.Feed(12.5, second); // 0.5/s
        Assert.Equal(["active", "cleared"], h.States);
    }

    [Fact]
    public void RateOfChange_Falling_TripsOnNegativeRate()
    {
        var rule = new AlarmRule("drop", AlarmEngineHarness.Device, AlarmEngineHarness.Tag, AlarmCondition.RateOfChange, TagValue.FromDouble(-2), AlarmSeverity.High, "drop");
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(rule)]);

        h.Feed(100, TimeSpan.FromSeconds(1));
        h.Feed(99, TimeSpan.FromSeconds(1));
        Assert.Empty(h.Events);
        h.Feed(96, TimeSpan.FromSeconds(1));
        Assert.Equal(["active"], h.States);
    }

    [Fact]
    public void BadQualityReading_LeavesRuleStateUnchanged()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))]);

        h.Feed(11);
        h.FeedBad("timeout");

        Assert.Equal(["active"], h.States);
        Assert.Equal(AlarmLifecycle.Active, h.Engine.StateOf("a1"));
    }

    [Fact]
    public void Message_Placeholders_AreFilled()
    {
        AlarmRule rule = AlarmEngineHarness.Above(10) with { Message = "{alarm}: {device}/{tag} at {value} {unit} ({severity}) {nope}" };
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(rule, unit: "ppm")]);

        h.Feed(12.25);

        Assert.Equal("a1: dev-1/t1 at 12.25 ppm (high) {nope}", h.Events[0].Message);
    }
}
