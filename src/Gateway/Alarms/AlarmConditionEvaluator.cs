using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// The pure part of a rule: is its condition present for this value, given whether it was present before
/// (hysteresis)? Above: trips when value &gt; above, an active one clears at value ≤ clear_below. Below: mirror
/// image with clear_above. Outside [lo, hi]: trips outside the band, clears inside [clear_above, clear_below].
/// Rate of change: the same on the change per second between two consecutive good readings.
/// </summary>
internal static class AlarmConditionEvaluator
{
    /// <summary>
    /// The condition for <paramref name="value"/>, or null when the value says nothing (not numeric for a numeric
    /// rule, or the first reading of a rate). <paramref name="rate"/> carries the previous sample of a rate rule.
    /// </summary>
    public static bool? Evaluate(AlarmRule rule, TagValue value, DateTimeOffset timestamp, bool wasPresent, ref RateSample rate)
    {
        switch (rule.Condition)
        {
            case AlarmCondition.EqualTo:
                return rule.Threshold.Kind == TagValueKind.String
                    ? string.Equals(value.ToString(), rule.Threshold.AsString(), StringComparison.Ordinal)
                    : value.IsNumeric && value.AsDouble() == rule.Threshold.AsDouble();
            case AlarmCondition.Above when value.IsNumeric:
                return AboveWithHysteresis(value.AsDouble(), rule.Threshold.AsDouble(), rule.ClearBelow, wasPresent);
            case AlarmCondition.Below when value.IsNumeric:
                return BelowWithHysteresis(value.AsDouble(), rule.Threshold.AsDouble(), rule.ClearAbove, wasPresent);
            case AlarmCondition.Outside when value.IsNumeric:
                double v = value.AsDouble();
                double low = rule.Threshold.AsDouble();
                return wasPresent
                    ? v < (rule.ClearAbove ?? low) || v > (rule.ClearBelow ?? rule.High)
                    : v < low || v > rule.High;
            case AlarmCondition.RateOfChange when value.IsNumeric:
                double current = value.AsDouble();
                RateSample previous = rate;
                rate = new RateSample(true, current, timestamp);
                double seconds = (timestamp - previous.Timestamp).TotalSeconds;
                if (!previous.HasValue || seconds <= 0)
                {
                    return null;
                }

                double perSecond = (current - previous.Value) / seconds;
                double threshold = rule.Threshold.AsDouble();
                return threshold > 0
                    ? AboveWithHysteresis(perSecond, threshold, rule.ClearBelow, wasPresent)
                    : BelowWithHysteresis(perSecond, threshold, rule.ClearAbove, wasPresent);
            default:
                return null;
        }
    }

    private static bool AboveWithHysteresis(double value, double above, double? clearBelow, bool wasPresent) =>
        wasPresent ? value > (clearBelow ?? above) : value > above;

    private static bool BelowWithHysteresis(double value, double below, double? clearAbove, bool wasPresent) =>
        wasPresent ? value < (clearAbove ?? below) : value < below;
}
