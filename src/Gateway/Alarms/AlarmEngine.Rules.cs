using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>Rule alarms: each reading judged by its tag's rules (hysteresis in <see cref="AlarmConditionEvaluator"/>), then the on/clear delays on the injected clock.</summary>
internal sealed partial class AlarmEngine
{
    /// <summary>
    /// Evaluates the readings of one frame of the device <paramref name="table"/> belongs to, in order: every rule on each
    /// reading's tag, and the device's bad-quality alarm. One lookup and one lock per frame, and only for a device
    /// that has such alarms; per reading an array index.
    /// </summary>
    public void Evaluate(TagTable table, ReadOnlySpan<TagReading> readings)
    {
        // A set is read-only once built: look up outside the lock, lock only when an alarm cares.
        if (!_alarms.Devices.TryGetValue(table.DeviceId, out DeviceAlarms? candidate) || !candidate.WatchesReadings)
        {
            return;
        }

        lock (_gate)
        {
            // Again under the lock: a reload may have swapped the set in between.
            if (!_alarms.Devices.TryGetValue(table.DeviceId, out DeviceAlarms? device))
            {
                return;
            }

            Slot[]?[] rulesByTag = device.RulesFor(table);
            Slot? badQuality = device.BadQuality;
            foreach (ref readonly TagReading reading in readings)
            {
                string tagId = table[reading.TagIndex].Id;
                if (badQuality is not null)
                {
                    EvaluateQuality(device, badQuality, tagId, reading);
                }

                // A bad reading says nothing about the process value: rule states stay as they are.
                if (rulesByTag[reading.TagIndex] is not { } rules || reading.Quality == Quality.Bad)
                {
                    continue;
                }

                DateTimeOffset at = reading.SourceTimestamp;
                foreach (Slot slot in rules)
                {
                    if (AlarmConditionEvaluator.Evaluate(slot.Alarm.Rule!, reading.Value, at, slot.Present, ref slot.Rate) is { } present)
                    {
                        SetCondition(slot, present, reading.Value, tagId, reason: null, at);
                    }
                }
            }
        }
    }

    /// <summary>The condition (after hysteresis) is <paramref name="present"/>: start, cancel or skip the delay towards it.</summary>
    private void SetCondition(Slot slot, bool present, TagValue value, string? tag, string? reason, DateTimeOffset at)
    {
        slot.Present = present;
        if (!value.IsNone || slot.Alarm.Kind != AlarmKind.Rule)
        {
            slot.Value = value;
        }

        slot.Tag = tag ?? slot.Tag;
        if (present || reason is not null)
        {
            slot.Reason = reason;
        }

        if (present == slot.Tripped)
        {
            slot.Pending = false;
            return;
        }

        TimeSpan delay = present ? slot.Alarm.Delay : slot.Alarm.ClearDelay;
        if (delay <= TimeSpan.Zero)
        {
            Trip(slot, present, at);
            return;
        }

        if (slot.Pending && slot.PendingTarget == present)
        {
            return; // already waiting for this
        }

        slot.Pending = true;
        slot.PendingTarget = present;
        slot.Deadline = _time.GetUtcNow() + delay;
        slot.DelayTimer ??= _time.CreateTimer(static s => ((Slot)s!).Engine.OnDelayElapsed((Slot)s!), slot, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        slot.DelayTimer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void OnDelayElapsed(Slot slot)
    {
        lock (_gate)
        {
            if (!slot.Pending || slot.Retired)
            {
                return; // the condition went away before the delay ran out
            }

            DateTimeOffset now = _time.GetUtcNow();
            if (now < slot.Deadline)
            {
                slot.DelayTimer!.Change(slot.Deadline - now, Timeout.InfiniteTimeSpan);
                return;
            }

            slot.Pending = false;
            Trip(slot, slot.PendingTarget, now);
        }
    }

    private void Trip(Slot slot, bool tripped, DateTimeOffset at)
    {
        slot.Pending = false;
        slot.Tripped = tripped;
        Transition(slot, tripped ? AlarmInput.Trip : AlarmInput.Clear, at);
    }
}
