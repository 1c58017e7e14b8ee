using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// Runs the tested values through the alarm rules' conditions — the engine's own pure evaluator, as for a first reading
/// (no hysteresis history, no on-delay, no latch, no actions): a commissioning check of thresholds, not a simulation.
/// </summary>
internal static class AlarmPreview
{
    public static IReadOnlyList<AlarmPreviewEntry> Evaluate(GatewayConfiguration configuration, IReadOnlyList<DeviceProbeResult> results)
    {
        var entries = new List<AlarmPreviewEntry>();
        foreach (AlarmDefinition alarm in AlarmDefinition.FromConfiguration(configuration))
        {
            if (alarm.Rule is not { } rule || results.FirstOrDefault(r => r.Device.Id == rule.DeviceId) is not { } result)
            {
                // Built-in offline/bad-quality alarms depend on counts and time; rules of untested devices are out of scope.
                continue;
            }

            int index = IndexOf(result.Device.Tags, rule.TagId);
            TagReading? reading = index >= 0 ? result.Readings[index] : null;
            if (reading is not { } r || r.Quality == Quality.Bad)
            {
                // The engine skips bad readings for rules, and so does this.
                string why = !result.Answered ? "device did not answer" : reading is null ? "no value" : "bad value: " + (reading.Value.Reason ?? "bad quality");
                entries.Add(new AlarmPreviewEntry(alarm, AlarmPreviewState.Unknown, TagValue.None, why));
                continue;
            }

            RateSample rate = default;
            bool? present = AlarmConditionEvaluator.Evaluate(rule, r.Value, r.SourceTimestamp, wasPresent: false, ref rate);
            entries.Add(present switch
            {
                true => new AlarmPreviewEntry(alarm, AlarmPreviewState.Active, r.Value, AlarmMessageFormatter.Format(alarm, r.Value, rule.TagId, null)),
                false => new AlarmPreviewEntry(alarm, AlarmPreviewState.Inactive, r.Value, null),
                null when rule.Condition == AlarmCondition.RateOfChange => new AlarmPreviewEntry(alarm, AlarmPreviewState.Unknown, r.Value, "a rate needs two readings"),
                null => new AlarmPreviewEntry(alarm, AlarmPreviewState.Unknown, r.Value, $"not a number ({r.Value.Kind})"),
            });
        }

        return entries;
    }

    private static int IndexOf(IReadOnlyList<TagConfiguration> tags, string? tagId)
    {
        for (int i = 0; i < tags.Count; i++)
        {
            if (string.Equals(tags[i].Id, tagId, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
