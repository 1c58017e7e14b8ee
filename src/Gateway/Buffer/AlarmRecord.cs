using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// One alarm transition as the durable buffer keeps it: typed, in no upstream format (each upstream's encoder
/// renders it). Times are kept to the millisecond, as every upstream format carries them.
/// </summary>
/// <param name="AlarmId">The alarm.</param>
/// <param name="State">The state entered.</param>
/// <param name="Previous">The state last published before this one.</param>
/// <param name="Severity">The alarm's severity.</param>
/// <param name="DeviceId">The device it concerns.</param>
/// <param name="TagId">The tag concerned, or null.</param>
/// <param name="Value">The value that decided it, or none.</param>
/// <param name="Message">The rendered message.</param>
/// <param name="Timestamp">When the transition happened.</param>
/// <param name="Unit">The tag's unit, or null.</param>
/// <param name="Reason">Why (offline, bad quality, retirement), or null.</param>
/// <param name="Retired">The alarm left the configuration: its last record (see <see cref="AlarmEvent.Retired"/>).</param>
/// <param name="Acknowledgement">Who acknowledged it, for an acknowledgement.</param>
/// <param name="Condition">An alarm the device keeps: the device's condition.</param>
/// <param name="Suppressed">Transitions the rate limit held back since the last published one.</param>
/// <param name="Occurrence">
/// The seq of the transition that opened this raise (its <c>active</c>), which a signed ack must name; 0 on that
/// transition itself (its own seq, assigned when the buffer commits it, is the occurrence) and when not known.
/// </param>
internal sealed record AlarmRecord(
    string AlarmId,
    AlarmLifecycle State,
    AlarmLifecycle Previous,
    AlarmSeverity Severity,
    string DeviceId,
    string? TagId,
    TagValue Value,
    string Message,
    DateTimeOffset Timestamp,
    string? Unit = null,
    string? Reason = null,
    bool Retired = false,
    AlarmAcknowledgement? Acknowledgement = null,
    DeviceAlarmOrigin? Condition = null,
    int Suppressed = 0,
    long Occurrence = 0)
{
    /// <summary>
    /// A retirement of an alarm the desk last saw cleared: there is no transition to announce, only the alarm's
    /// retained state to delete.
    /// </summary>
    public bool IsQuietRetirement => Retired && Previous == AlarmLifecycle.Cleared;

    /// <summary>The record of a published transition (times truncated to the millisecond).</summary>
    public static AlarmRecord From(AlarmEvent alarmEvent) => new(
        alarmEvent.Alarm.Id,
        alarmEvent.State,
        alarmEvent.Previous,
        alarmEvent.Alarm.Severity,
        alarmEvent.Alarm.DeviceId,
        alarmEvent.Tag,
        alarmEvent.Value,
        alarmEvent.Message,
        Truncate(alarmEvent.Timestamp),
        alarmEvent.Alarm.Unit,
        alarmEvent.Reason,
        alarmEvent.Retired,
        alarmEvent.Acknowledgement is { } ack ? ack with { At = Truncate(ack.At) } : null,
        alarmEvent.Origin,
        alarmEvent.Suppressed,
        alarmEvent.Occurrence?.Seq is > 0 and long occurrence ? occurrence : 0);

    private static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
