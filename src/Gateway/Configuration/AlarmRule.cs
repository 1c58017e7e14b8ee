using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>One entry of <c>alarms:</c>: a condition on one tag.</summary>
/// <param name="Id">Alarm id, unique.</param>
/// <param name="DeviceId">Device part of <c>tag: device/tag</c>.</param>
/// <param name="TagId">Tag part of <c>tag: device/tag</c>.</param>
/// <param name="Condition">Which comparison trips the alarm.</param>
/// <param name="Threshold">The value compared with (for <see cref="AlarmCondition.EqualTo"/>, booleans as 0/1).</param>
/// <param name="Severity">How urgent.</param>
/// <param name="Message">Text for the security desk.</param>
public sealed record AlarmRule(
    string Id,
    string DeviceId,
    string TagId,
    AlarmCondition Condition,
    TagValue Threshold,
    AlarmSeverity Severity,
    string Message);

public enum AlarmCondition
{
    Above,
    Below,
    EqualTo,
}

public enum AlarmSeverity
{
    Info,
    Warning,
    High,
    Critical,
}
