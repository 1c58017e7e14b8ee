using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>One entry of <c>alarms:</c>: a condition on one tag (docs/alarms.md).</summary>
/// <param name="Id">Alarm id, unique.</param>
/// <param name="DeviceId">Device part of <c>tag: device/tag</c>.</param>
/// <param name="TagId">Tag part of <c>tag: device/tag</c>.</param>
/// <param name="Condition">Which comparison trips the alarm.</param>
/// <param name="Threshold">
/// The value compared with: the trip point of above/below/equals, the low bound of <c>outside</c>, the rate per second
/// of <c>rate_of_change</c> (for <see cref="AlarmCondition.EqualTo"/>, booleans as 0/1).
/// </param>
/// <param name="Severity">How urgent.</param>
/// <param name="Message">Text for the security desk, with placeholders such as <c>{value}</c>.</param>
public sealed record AlarmRule(
    string Id,
    string DeviceId,
    string TagId,
    AlarmCondition Condition,
    TagValue Threshold,
    AlarmSeverity Severity,
    string Message)
{
    /// <summary>High bound of <c>outside: [lo, hi]</c>.</summary>
    public double High { get; init; }

    /// <summary>An active above-type alarm clears only at or below this (hysteresis); null: the trip point.</summary>
    public double? ClearBelow { get; init; }

    /// <summary>An active below-type alarm clears only at or above this (hysteresis); null: the trip point.</summary>
    public double? ClearAbove { get; init; }

    /// <summary>On-delay: the condition must hold this long before the alarm becomes active.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>The condition must be gone this long before the alarm clears.</summary>
    public TimeSpan ClearDelay { get; init; }

    /// <summary>Stays shown (unacknowledged_cleared) after the condition clears until someone acknowledges it.</summary>
    public bool Latch { get; init; }

    /// <summary>Outputs set while the alarm is active.</summary>
    public IReadOnlyList<AlarmAction> Actions { get; init; } = [];
}

public enum AlarmCondition
{
    Above,
    Below,
    EqualTo,
    Outside,
    RateOfChange,
}

public enum AlarmSeverity
{
    Info,
    Warning,
    High,
    Critical,
}
