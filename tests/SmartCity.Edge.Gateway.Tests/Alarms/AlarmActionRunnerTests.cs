using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>Which value a local action writes for which transition.</summary>
public sealed class AlarmActionRunnerTests
{
    private static readonly AlarmAction s_onClear = new("siren-panel", "siren", TagValue.FromBoolean(true), TagValue.FromBoolean(false), AlarmActionReset.OnClear);
    private static readonly AlarmAction s_onAck = s_onClear with { Reset = AlarmActionReset.OnAck };
    private static readonly AlarmAction s_never = s_onClear with { Reset = AlarmActionReset.Never };

    [Theory]
    [InlineData("cleared", "active", false, "on_clear", "true")]
    [InlineData("active", "cleared", false, "on_clear", "false")]
    [InlineData("acknowledged", "cleared", false, "on_clear", "false")]
    [InlineData("active", "unacknowledged_cleared", false, "on_clear", "false")]
    [InlineData("active", "acknowledged", true, "on_clear", "-")]
    [InlineData("active", "acknowledged", true, "on_ack", "false")]
    [InlineData("active", "cleared", false, "on_ack", "-")]
    [InlineData("active", "cleared", false, "never", "-")]
    [InlineData("active", "active", false, "on_clear", "true")] // restored at start
    [InlineData("acknowledged", "acknowledged", false, "on_clear", "true")] // restored at start
    [InlineData("acknowledged", "acknowledged", false, "on_ack", "-")] // the ack already reset it
    public void ValueFor_Transition_WritesValueResetOrNothing(string previousName, string stateName, bool ack, string reset, string expected)
    {
        AlarmLifecycle previous = AlarmLifecycleNames.FromWire(previousName)!.Value;
        AlarmLifecycle state = AlarmLifecycleNames.FromWire(stateName)!.Value;
        AlarmAction action = reset switch
        {
            "on_clear" => s_onClear,
            "on_ack" => s_onAck,
            _ => s_never,
        };
        var alarm = new AlarmDefinition("a1", AlarmKind.Rule, "dev", "t", null, AlarmSeverity.High, "m", TimeSpan.Zero, TimeSpan.Zero, false, [action]);
        var alarmEvent = new AlarmEvent(alarm, state, previous, TagValue.None, "t", "m", null, DateTimeOffset.UnixEpoch, ack ? new AlarmAcknowledgement("desk", null, DateTimeOffset.UnixEpoch) : null, 0);

        TagValue? value = AlarmActionRunner.ValueFor(action, alarmEvent);

        Assert.Equal(expected, value?.ToString() ?? "-");
    }

    [Theory]
    [InlineData("active", "on_clear", "false")]
    [InlineData("acknowledged", "on_clear", "false")]
    [InlineData("unacknowledged_cleared", "on_clear", "-")] // the clear already reset it
    [InlineData("active", "on_ack", "false")] // nobody can acknowledge it any more: reset now
    [InlineData("unacknowledged_cleared", "on_ack", "false")]
    [InlineData("acknowledged", "on_ack", "-")] // the ack already reset it
    [InlineData("active", "never", "-")]
    [InlineData("cleared", "on_clear", "-")] // quiet retirement: never sets the output
    public void ValueFor_Retirement_ResetsAnOutputStillSet(string previousName, string reset, string expected)
    {
        AlarmLifecycle previous = AlarmLifecycleNames.FromWire(previousName)!.Value;
        AlarmAction action = reset switch
        {
            "on_clear" => s_onClear,
            "on_ack" => s_onAck,
            _ => s_never,
        };
        var alarm = new AlarmDefinition("a1", AlarmKind.Rule, "dev", "t", null, AlarmSeverity.High, "m", TimeSpan.Zero, TimeSpan.Zero, false, [action]);
        var retirement = new AlarmEvent(alarm, AlarmLifecycle.Cleared, previous, TagValue.None, "t", "m", AlarmRetirement.Reason, DateTimeOffset.UnixEpoch, null, 0, Retired: true);

        Assert.Equal(expected, AlarmActionRunner.ValueFor(action, retirement)?.ToString() ?? "-");
    }
}
