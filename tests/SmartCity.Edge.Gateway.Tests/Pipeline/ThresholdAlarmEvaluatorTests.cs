using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Pipeline;

public sealed class ThresholdAlarmEvaluatorTests
{
    private static readonly DateTimeOffset s_ts = DateTimeOffset.UnixEpoch;

    [Theory]
    [InlineData(AlarmCondition.Above, 12.5, new[] { 10.0, 12.5, 12.6, 13.0, 12.0 }, "-,-,active,-,cleared")]
    [InlineData(AlarmCondition.Below, 20.0, new[] { 25.0, 19.9, 5.0, 20.0 }, "-,active,-,cleared")]
    [InlineData(AlarmCondition.EqualTo, 1.0, new[] { 0.0, 1.0, 1.0, 0.0 }, "-,active,-,cleared")]
    public void Rule_TripsAndClearsAtTheThreshold(AlarmCondition condition, double threshold, double[] values, string expected)
    {
        var rule = new AlarmRule("a", "d", "t", condition, TagValue.FromDouble(threshold), AlarmSeverity.High, "m");
        var evaluator = new ThresholdAlarmEvaluator([rule]);
        var steps = new List<string>();
        foreach (double value in values)
        {
            var transitions = new List<AlarmTransition>();
            evaluator.Evaluate(Reading.Good("d", "t", TagValue.FromDouble(value), s_ts), transitions);
            steps.Add(transitions.Count == 0 ? "-" : transitions.Single().State.ToString().ToLowerInvariant());
        }

        Assert.Equal(expected, string.Join(',', steps));
    }

    [Fact]
    public void BadQuality_LeavesAnActiveAlarmActive()
    {
        var rule = new AlarmRule("a", "d", "t", AlarmCondition.Above, TagValue.FromDouble(1), AlarmSeverity.High, "m");
        var evaluator = new ThresholdAlarmEvaluator([rule]);
        var transitions = new List<AlarmTransition>();

        evaluator.Evaluate(Reading.Good("d", "t", TagValue.FromDouble(5), s_ts), transitions);
        evaluator.Evaluate(Reading.Bad("d", "t", "timeout", s_ts), transitions);

        Assert.Equal(AlarmState.Active, Assert.Single(transitions).State);
    }
}
