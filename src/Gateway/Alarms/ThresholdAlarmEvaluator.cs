using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Evaluates above / below / equals rules on every reading (before report-by-exception, so a crossing smaller
/// than a deadband still trips). Bad-quality readings leave alarm states unchanged.
/// </summary>
internal sealed class ThresholdAlarmEvaluator
{
    private readonly Dictionary<(string Device, string Tag), List<RuleState>> _rulesByTag = new();

    /// <param name="rules">The rules to evaluate.</param>
    /// <param name="previous">After a reload: the evaluator being replaced; an unchanged rule keeps its state.</param>
    public ThresholdAlarmEvaluator(IEnumerable<AlarmRule> rules, ThresholdAlarmEvaluator? previous = null)
    {
        Dictionary<AlarmRule, AlarmState> kept = previous is null
            ? []
            : previous._rulesByTag.Values.SelectMany(l => l).ToDictionary(s => s.Rule, s => s.Current);
        foreach (AlarmRule rule in rules)
        {
            if (!_rulesByTag.TryGetValue((rule.DeviceId, rule.TagId), out List<RuleState>? list))
            {
                list = [];
                _rulesByTag.Add((rule.DeviceId, rule.TagId), list);
            }

            list.Add(new RuleState(rule) { Current = kept.GetValueOrDefault(rule, AlarmState.Cleared) });
        }
    }

    /// <summary>Adds to <paramref name="transitions"/> every alarm whose state this reading changes.</summary>
    public void Evaluate(in Reading reading, List<AlarmTransition> transitions)
    {
        if (reading.Quality == Quality.Bad || !_rulesByTag.TryGetValue((reading.DeviceId, reading.TagId), out List<RuleState>? rules))
        {
            return;
        }

        foreach (RuleState state in rules)
        {
            AlarmState next = IsTripped(state.Rule, reading.Value) ? AlarmState.Active : AlarmState.Cleared;
            if (next != state.Current)
            {
                state.Current = next;
                transitions.Add(new AlarmTransition(state.Rule, next, reading.Value, reading.SourceTimestamp));
            }
        }
    }

    private static bool IsTripped(AlarmRule rule, TagValue value) => rule.Condition switch
    {
        AlarmCondition.Above => value.IsNumeric && value.AsDouble() > rule.Threshold.AsDouble(),
        AlarmCondition.Below => value.IsNumeric && value.AsDouble() < rule.Threshold.AsDouble(),
        AlarmCondition.EqualTo => rule.Threshold.Kind == TagValueKind.String
            ? string.Equals(value.ToString(), rule.Threshold.AsString(), StringComparison.Ordinal)
            : value.IsNumeric && value.AsDouble() == rule.Threshold.AsDouble(),
        _ => throw new InvalidOperationException($"Unhandled alarm condition {rule.Condition}."),
    };

    private sealed class RuleState(AlarmRule rule)
    {
        public AlarmRule Rule { get; } = rule;

        public AlarmState Current { get; set; } = AlarmState.Cleared;
    }
}
