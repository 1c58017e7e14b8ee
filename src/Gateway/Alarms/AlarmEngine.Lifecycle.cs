using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The lifecycle state machine, operator acknowledgement, and retirement of alarms a reload removed.</summary>
internal sealed partial class AlarmEngine
{
    /// <summary>
    /// An operator acknowledged <paramref name="alarmId"/>. Returns the outcome and the state after it. With
    /// <paramref name="occurrence"/> (a signed ack), an ack naming another occurrence than the alarm's current one is
    /// refused (<see cref="AckOutcome.WrongOccurrence"/>) and changes nothing; <paramref name="key"/> is the id of the
    /// key that signed it, recorded with the acknowledgement.
    /// </summary>
    public (AckOutcome Outcome, AlarmLifecycle State) Acknowledge(string alarmId, string by, string? comment, long? occurrence = null, string? key = null)
    {
        lock (_gate)
        {
            if (!_alarms.ById.TryGetValue(alarmId, out Slot? slot))
            {
                return (AckOutcome.UnknownAlarm, AlarmLifecycle.Cleared);
            }

            if (IsWrongOccurrence(slot, occurrence))
            {
                return (AckOutcome.WrongOccurrence, slot.State);
            }

            DateTimeOffset now = _time.GetUtcNow();
            slot.PendingAck = new AlarmAcknowledgement(by, comment, now, key);
            bool changed = Transition(slot, AlarmInput.Acknowledge, now);
            slot.PendingAck = null;
            return (changed ? AckOutcome.Acknowledged : AckOutcome.NotAwaitingAcknowledgement, slot.State);
        }
    }

    /// <summary>
    /// An ack naming <paramref name="occurrence"/> is not for the alarm's current occurrence: one that ended (the alarm
    /// was raised again since), one whose first transition is not committed yet (nobody can know its seq), or none at
    /// all. An alarm never raised has no occurrence and is left to "nothing to acknowledge".
    /// </summary>
    private static bool IsWrongOccurrence(Slot slot, long? occurrence) =>
        occurrence is { } named && slot.Occurrence is { } current && !current.IsNamedBy(named);

    /// <summary>The lifecycle state machine (see <see cref="AlarmLifecycle"/>). Returns false when the input changes nothing.</summary>
    private bool Transition(Slot slot, AlarmInput input, DateTimeOffset at)
    {
        AlarmLifecycle next = (slot.State, input) switch
        {
            (AlarmLifecycle.Cleared, AlarmInput.Trip) => AlarmLifecycle.Active,
            (AlarmLifecycle.UnacknowledgedCleared, AlarmInput.Trip) => AlarmLifecycle.Active,
            (AlarmLifecycle.Active, AlarmInput.Clear) => slot.Alarm.Latch ? AlarmLifecycle.UnacknowledgedCleared : AlarmLifecycle.Cleared,
            (AlarmLifecycle.Acknowledged, AlarmInput.Clear) => AlarmLifecycle.Cleared,
            (AlarmLifecycle.Active, AlarmInput.Acknowledge) => AlarmLifecycle.Acknowledged,
            (AlarmLifecycle.UnacknowledgedCleared, AlarmInput.Acknowledge) => AlarmLifecycle.Cleared,
            (AlarmLifecycle.Cleared or AlarmLifecycle.Acknowledged or AlarmLifecycle.UnacknowledgedCleared or AlarmLifecycle.Active, _) => slot.State,
            _ => throw new InvalidOperationException($"Unhandled alarm state {slot.State}."),
        };
        if (next == slot.State)
        {
            return false;
        }

        if (next == AlarmLifecycle.Active)
        {
            slot.Occurrence = new AlarmOccurrence { ActivatedAt = at }; // a new raise, named once its transition is committed
        }

        slot.State = next;
        Publish(slot, at, bypassRateLimit: input == AlarmInput.Acknowledge);
        return true;
    }

    /// <summary>
    /// Ends an alarm the configuration no longer has: late timer callbacks do nothing, and when the desk has seen it
    /// (a state published or restored) its retirement goes out — a transition to cleared, or, when the desk saw it
    /// cleared, only the deletion of its retained state.
    /// </summary>
    private void Retire(Slot slot, DateTimeOffset at)
    {
        slot.Retired = true;
        slot.Pending = false;
        slot.DelayTimer?.Dispose();
        slot.RateTimer?.Dispose();
        if (!slot.Recorded)
        {
            return; // never published: no retained state, no row
        }

        AlarmLifecycle previous = slot.Published;
        slot.State = slot.Published = AlarmLifecycle.Cleared;
        (string? tag, string message) = Describe(slot);
        _sink.Publish(new AlarmEvent(slot.Alarm, AlarmLifecycle.Cleared, previous, slot.Value, tag, message, AlarmRetirement.Reason, at, null, slot.Suppressed, slot.Origin, Retired: true) { Occurrence = slot.Occurrence });
        slot.Suppressed = 0;
    }

    /// <summary>The tag and rendered message a transition of <paramref name="slot"/> carries.</summary>
    private static (string? Tag, string Message) Describe(Slot slot)
    {
        string? tag = slot.Alarm.Kind == AlarmKind.Rule ? slot.Alarm.TagId : slot.Tag;
        string? reason = slot.Alarm.Kind == AlarmKind.Rule ? null : slot.Reason;

        // A device's alarm text is the device's own: no placeholders to fill.
        string message = slot.Alarm.Kind == AlarmKind.Device ? slot.Alarm.MessageTemplate : AlarmMessageFormatter.Format(slot.Alarm, slot.Value, tag, reason);
        return (tag, message);
    }
}
