using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>A published alarm transition: one message on <c>{prefix}/alarms</c>, the new retained state, and webhook deliveries.</summary>
/// <param name="Alarm">The alarm.</param>
/// <param name="State">The state entered.</param>
/// <param name="Previous">The state last published before this one.</param>
/// <param name="Value">The value that decided it (<see cref="TagValue.None"/> for built-in alarms without one).</param>
/// <param name="Tag">The tag concerned (rule tag, or the bad tag of a bad-quality alarm), or null.</param>
/// <param name="Message">The rendered message.</param>
/// <param name="Reason">Why (offline and bad-quality alarms), or null.</param>
/// <param name="Timestamp">When the transition happened.</param>
/// <param name="Acknowledgement">Who acknowledged it, when the transition is an acknowledgement, else null.</param>
/// <param name="Suppressed">Transitions of this alarm the rate limit held back since the last published one.</param>
/// <param name="Origin">For an alarm kept by the device (<see cref="AlarmKind.Device"/>): the device's condition, else null.</param>
/// <param name="Retired">
/// The alarm left the configuration (<see cref="AlarmRetirement"/>): this is its last message. <see cref="State"/> is
/// cleared; the retained state topic is deleted and the row in <c>alarm_state</c> removed. When <see cref="Previous"/>
/// is cleared too, the desk saw nothing raised: no transition goes out, only the retained state is deleted.
/// </param>
internal sealed record AlarmEvent(
    AlarmDefinition Alarm,
    AlarmLifecycle State,
    AlarmLifecycle Previous,
    TagValue Value,
    string? Tag,
    string Message,
    string? Reason,
    DateTimeOffset Timestamp,
    AlarmAcknowledgement? Acknowledgement,
    int Suppressed,
    DeviceAlarmOrigin? Origin = null,
    bool Retired = false)
{
    /// <summary>
    /// The raise this transition belongs to (null for an alarm never raised). Its seq is known once the occurrence's
    /// first transition is committed; later transitions carry it as <c>occurrence</c> (docs/alarms.md).
    /// </summary>
    public AlarmOccurrence? Occurrence { get; init; }

    /// <summary>A retirement of an alarm the desk last saw cleared: nothing to announce, only its retained state to delete.</summary>
    public bool IsQuietRetirement => Retired && Previous == AlarmLifecycle.Cleared;
}
