using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>Alarms kept by a device (OPC UA conditions): the device is the source of truth for their state; acks are forwarded to it.</summary>
internal sealed partial class AlarmEngine
{
    /// <summary>
    /// A device reported the state of an alarm it keeps (<see cref="AlarmKind.Device"/>). The device is the source of
    /// truth: active and unacknowledged → active; active and acknowledged → acknowledged; inactive and acknowledged →
    /// cleared; inactive, unacknowledged and still retained → unacknowledged_cleared. Severity and message follow
    /// the device's latest report.
    /// </summary>
    public void ApplyDeviceAlarm(DeviceAlarm report)
    {
        lock (_gate)
        {
            Slot slot = DeviceSlot(report);
            slot.Alarm = slot.Alarm with { Severity = ToSeverity(report.Severity), MessageTemplate = report.Message };
            slot.Origin = new DeviceAlarmOrigin(report.ConditionId, report.SourceName, report.DeviceSeverity);
            AlarmLifecycle target = (report.Active, report.Acknowledged) switch
            {
                (true, false) => AlarmLifecycle.Active,
                (true, true) => AlarmLifecycle.Acknowledged,
                (false, true) => AlarmLifecycle.Cleared,
                (false, false) => report.Retain ? AlarmLifecycle.UnacknowledgedCleared : AlarmLifecycle.Cleared,
            };
            SetDeviceState(slot, target, report.Time, reason: null);
        }
    }

    /// <summary>
    /// The device has just reported every alarm it still keeps (after a connect or reconnect): its alarms that are not
    /// among <paramref name="conditionIds"/> ended while nobody listened, and are cleared.
    /// </summary>
    public void SynchronizeDeviceAlarms(string deviceId, IReadOnlyCollection<string> conditionIds)
    {
        var present = new HashSet<string>(conditionIds, StringComparer.Ordinal);
        lock (_gate)
        {
            DateTimeOffset now = _time.GetUtcNow();
            foreach (Slot slot in _deviceSlots.Values)
            {
                if (slot.Alarm.DeviceId == deviceId && !present.Contains(slot.Origin!.ConditionId))
                {
                    SetDeviceState(slot, AlarmLifecycle.Cleared, now, "no longer reported by the device");
                }
            }
        }
    }

    /// <summary>
    /// An operator acknowledges an alarm kept by a device: returns where to send it (the device decides, and reports
    /// the alarm acknowledged in its own time), or null for the gateway's own alarms (<see cref="Acknowledge"/>).
    /// Who asked is remembered and put in the <c>ack</c> member of the transition the device's report causes.
    /// With <paramref name="occurrence"/> (a signed ack), an ack for another occurrence than the current one is refused
    /// (<see cref="DeviceAckRequest.WrongOccurrence"/>) and nothing is sent.
    /// </summary>
    public DeviceAckRequest? RequestDeviceAcknowledgement(string alarmId, string by, string? comment, long? occurrence = null, string? key = null)
    {
        lock (_gate)
        {
            if (!_deviceSlots.TryGetValue(alarmId, out Slot? slot))
            {
                return null;
            }

            bool wrongOccurrence = IsWrongOccurrence(slot, occurrence);
            bool awaits = !wrongOccurrence && slot.State is AlarmLifecycle.Active or AlarmLifecycle.UnacknowledgedCleared;
            if (awaits)
            {
                slot.RequestedAck = new AlarmAcknowledgement(by, comment, default, key);
            }

            return new DeviceAckRequest(slot.Alarm.DeviceId, slot.Origin!.ConditionId, slot.State, awaits, wrongOccurrence);
        }
    }

    /// <summary>The device refused or could not be asked: forget who asked.</summary>
    public void CancelDeviceAcknowledgement(string alarmId)
    {
        lock (_gate)
        {
            if (_deviceSlots.TryGetValue(alarmId, out Slot? slot))
            {
                slot.RequestedAck = null;
            }
        }
    }

    private static AlarmSeverity ToSeverity(DeviceAlarmSeverity severity) => severity switch
    {
        DeviceAlarmSeverity.Info => AlarmSeverity.Info,
        DeviceAlarmSeverity.Warning => AlarmSeverity.Warning,
        DeviceAlarmSeverity.High => AlarmSeverity.High,
        DeviceAlarmSeverity.Critical => AlarmSeverity.Critical,
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "unknown device alarm severity"),
    };

    /// <summary>The slot of a device's alarm, created on its first report (id from <see cref="BuiltInAlarmIds.DeviceCondition"/>).</summary>
    private Slot DeviceSlot(DeviceAlarm report)
    {
        if (_deviceAlarmIds.TryGetValue((report.DeviceId, report.ConditionId), out string? known))
        {
            return _deviceSlots[known];
        }

        // A configured alarm or another condition may already own the id (two names that differ only in punctuation
        // or case): number it, so no two alarms ever share a topic.
        string baseId = BuiltInAlarmIds.DeviceCondition(report.DeviceId, report.Name);
        string id = baseId;
        for (int n = 2; _alarms.ById.ContainsKey(id) || _deviceSlots.ContainsKey(id); n++)
        {
            id = baseId + "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var definition = new AlarmDefinition(id, AlarmKind.Device, report.DeviceId, null, null, ToSeverity(report.Severity), report.Message, TimeSpan.Zero, TimeSpan.Zero, Latch: true, []);
        var slot = new Slot(this, definition);
        _deviceSlots.Add(id, slot);
        _deviceAlarmIds.Add((report.DeviceId, report.ConditionId), id);
        return slot;
    }

    /// <summary>Moves a device's alarm to the state the device reports; an acknowledgement carries who asked for it, if we did.</summary>
    private void SetDeviceState(Slot slot, AlarmLifecycle target, DateTimeOffset at, string? reason)
    {
        if (target == slot.State)
        {
            return;
        }

        bool acknowledged = (slot.State, target) is (AlarmLifecycle.Active, AlarmLifecycle.Acknowledged) or (AlarmLifecycle.UnacknowledgedCleared, AlarmLifecycle.Cleared);
        if (acknowledged)
        {
            // Acknowledged at the device itself (its HMI) unless an operator asked through us.
            slot.PendingAck = (slot.RequestedAck ?? new AlarmAcknowledgement("device", null, default)) with { At = at };
        }

        if (acknowledged || target == AlarmLifecycle.Active)
        {
            slot.RequestedAck = null;
        }

        if (target == AlarmLifecycle.Active)
        {
            slot.Occurrence = new AlarmOccurrence { ActivatedAt = at }; // raised again: a new occurrence, named once its transition is committed
        }

        slot.Reason = reason;
        slot.State = target;
        Publish(slot, at, bypassRateLimit: acknowledged);
        slot.PendingAck = null;
    }
}
