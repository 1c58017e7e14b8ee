using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Turns readings, device status and acknowledgements into alarm transitions. Per alarm: the condition with
/// hysteresis (<see cref="AlarmConditionEvaluator"/>), on-delay and clear-delay timers on the injected
/// <see cref="TimeProvider"/> (a delay fires without a new reading), the lifecycle state machine
/// (<see cref="Transition"/>), and a rate limit that holds back transitions beyond <c>max_transitions</c> per
/// <c>rate_window</c>, counts them, and publishes the state reached once the window allows.
/// Thread-safe: readings come from the processing stage, status from device supervisors, acks from the command
/// service and timers from the thread pool; all under one lock, and the sink sees events in order.
/// A configuration reload swaps the alarm set under the same lock (<see cref="Reconfigure"/>).
/// </summary>
/// <remarks>
/// One class, one lock, split by facet: this file builds, restores and reconfigures the alarm set;
/// <c>AlarmEngine.Rules.cs</c> judges readings against rules and runs the delays; <c>AlarmEngine.DeviceStatus.cs</c>
/// the built-in offline and bad-quality alarms; <c>AlarmEngine.DeviceKept.cs</c> alarms a device keeps itself (OPC UA
/// conditions); <c>AlarmEngine.Lifecycle.cs</c> the state machine, acknowledgements and retirement;
/// <c>AlarmEngine.RateLimit.cs</c> the rate limit in front of the sink; <c>AlarmEngine.Slots.cs</c> the per-alarm state.
/// </remarks>
internal sealed partial class AlarmEngine : IDeviceStatusObserver, IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly IAlarmEventSink _sink;
    private int _maxTransitions;
    private TimeSpan _rateWindow;

    /// <summary>The alarm set; read-only once built, replaced as a whole (under the lock) by a reload.</summary>
    private volatile AlarmSet _alarms;

    /// <summary>Alarms kept by devices (OPC UA conditions), created as they are first reported; a reload keeps them.</summary>
    private readonly Dictionary<string, Slot> _deviceSlots = new(StringComparer.Ordinal);

    /// <summary>(device, condition id) → alarm id of <see cref="_deviceSlots"/>.</summary>
    private readonly Dictionary<(string Device, string Condition), string> _deviceAlarmIds = new();

    /// <summary>
    /// Builds the engine for <paramref name="alarms"/> and restores <paramref name="restored"/> (<c>alarms.db</c>). A stored
    /// alarm the configuration no longer has (its rule or device removed, or — for an alarm kept by a device — the device
    /// not among <paramref name="deviceAlarmSources"/>) is retired at once (<see cref="AlarmRetirement"/>).
    /// </summary>
    public AlarmEngine(
        IReadOnlyList<AlarmDefinition> alarms,
        AlarmOptions options,
        TimeProvider time,
        IAlarmEventSink sink,
        IEnumerable<AlarmSnapshot>? restored = null,
        IReadOnlySet<string>? deviceAlarmSources = null)
    {
        _time = time;
        _sink = sink;
        _maxTransitions = options.MaxTransitions;
        _rateWindow = options.RateWindow;
        _alarms = Build(alarms, previous: null);
        IReadOnlySet<string> sources = deviceAlarmSources ?? new HashSet<string>();
        foreach (AlarmSnapshot snapshot in restored ?? [])
        {
            // A restored raised alarm counts as present, so the first reading after a restart that still trips it
            // publishes nothing: no duplicate "active".
            if (_alarms.ById.TryGetValue(snapshot.AlarmId, out Slot? slot))
            {
                slot.State = snapshot.State;
                slot.Published = snapshot.State;
                slot.Recorded = true;
                slot.Present = slot.Tripped = snapshot.State is AlarmLifecycle.Active or AlarmLifecycle.Acknowledged;
                slot.Occurrence = RestoredOccurrence(snapshot);
            }
            else if (DeviceAlarmSnapshot.TryRead(snapshot, out AlarmDefinition? definition, out DeviceAlarmOrigin? origin)
                && sources.Contains(definition.DeviceId))
            {
                // A device's alarm as last published: the device's refresh after connect then changes nothing, or
                // ends it (SynchronizeDeviceAlarms) when it went away while the gateway was down.
                var restoredSlot = new Slot(this, definition) { State = snapshot.State, Published = snapshot.State, Origin = origin, Recorded = true, Occurrence = RestoredOccurrence(snapshot) };
                _deviceSlots[definition.Id] = restoredSlot;
                _deviceAlarmIds[(definition.DeviceId, origin.ConditionId)] = definition.Id;
            }
            else
            {
                // Gone from the configuration while the gateway was down: end it now, or its retained state and its row
                // would outlive it forever (nothing can clear or acknowledge it any more).
                _sink.Publish(AlarmRetirement.FromSnapshot(snapshot, time.GetUtcNow()));
            }
        }
    }

    /// <summary>Every alarm id, configured and built in.</summary>
    public IReadOnlyCollection<string> AlarmIds => _alarms.ById.Keys;

    /// <summary>True for a configured or built-in alarm and for an alarm kept by a device that the engine knows (reported or restored).</summary>
    public bool Contains(string alarmId)
    {
        lock (_gate)
        {
            return Find(alarmId) is not null;
        }
    }

    /// <summary>The current (internal) state of an alarm.</summary>
    public AlarmLifecycle StateOf(string alarmId)
    {
        lock (_gate)
        {
            return Find(alarmId)!.State;
        }
    }

    public AlarmDefinition DefinitionOf(string alarmId)
    {
        lock (_gate)
        {
            return Find(alarmId)!.Alarm;
        }
    }

    /// <summary>
    /// The current (or last) occurrence of an alarm, null when it was never raised (or is unknown); its
    /// <see cref="AlarmOccurrence.Seq"/> is 0 until its first transition is committed.
    /// </summary>
    public AlarmOccurrence? OccurrenceOf(string alarmId)
    {
        lock (_gate)
        {
            return Find(alarmId)?.Occurrence;
        }
    }

    /// <summary>
    /// A configuration reload: swaps in <paramref name="alarms"/> and <paramref name="options"/>' rate limit. An alarm
    /// whose id is kept (with the same kind) keeps its state, delays and rate limit and takes the new definition;
    /// the next reading is judged by the new rule. A new alarm starts cleared. A removed alarm — and every alarm kept
    /// by a device not among <paramref name="deviceAlarmSources"/> (device removed, or its <c>events:</c> switched
    /// off) — is retired: its timers stop and, when the desk has seen it, its retirement is published
    /// (<see cref="AlarmRetirement"/>, past the rate limit) so its local actions are undone, its retained state is
    /// deleted and nobody waits for a clear that would never come.
    /// </summary>
    public void Reconfigure(IReadOnlyList<AlarmDefinition> alarms, AlarmOptions options, IReadOnlySet<string> deviceAlarmSources)
    {
        lock (_gate)
        {
            AlarmSet previous = _alarms;
            _maxTransitions = options.MaxTransitions;
            _rateWindow = options.RateWindow;
            _alarms = Build(alarms, previous);
            DateTimeOffset now = _time.GetUtcNow();
            foreach (Slot slot in previous.ById.Values)
            {
                if (!(_alarms.ById.TryGetValue(slot.Alarm.Id, out Slot? kept) && ReferenceEquals(kept, slot)))
                {
                    Retire(slot, now);
                }
            }

            foreach (Slot slot in _deviceSlots.Values.Where(s => !deviceAlarmSources.Contains(s.Alarm.DeviceId)).ToList())
            {
                _deviceSlots.Remove(slot.Alarm.Id);
                _deviceAlarmIds.Remove((slot.Alarm.DeviceId, slot.Origin!.ConditionId));
                Retire(slot, now);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (Slot slot in _alarms.ById.Values.Concat(_deviceSlots.Values))
            {
                slot.DelayTimer?.Dispose();
                slot.RateTimer?.Dispose();
            }
        }
    }

    /// <summary>The occurrence of a restored alarm: recorded in <c>alarms.db</c>, or, in a row from before occurrences, derived.</summary>
    private static AlarmOccurrence? RestoredOccurrence(AlarmSnapshot snapshot) => snapshot switch
    {
        { Occurrence: > 0 } => new AlarmOccurrence(snapshot.Occurrence.Value) { ActivatedAt = snapshot.ActiveSince },
        { State: AlarmLifecycle.Cleared } => null,
        { State: AlarmLifecycle.Active, LastSeq: > 0 } => new AlarmOccurrence(snapshot.LastSeq) { ActivatedAt = snapshot.ActiveSince ?? snapshot.Since }, // the row is its active transition
        { LastSeq: > 0 } => AlarmOccurrence.Before(snapshot.LastSeq),
        _ => null,
    };

    private Slot? Find(string alarmId) =>
        _alarms.ById.TryGetValue(alarmId, out Slot? slot) || _deviceSlots.TryGetValue(alarmId, out slot) ? slot : null;

    /// <summary>
    /// Builds the lookup maps for <paramref name="alarms"/>. With <paramref name="previous"/> (a reload), an alarm
    /// whose id and kind are unchanged keeps its slot (state, timers, rate limit) with the new definition, and a device
    /// keeps its failure count and bad tags.
    /// </summary>
    private AlarmSet Build(IReadOnlyList<AlarmDefinition> alarms, AlarmSet? previous)
    {
        var set = new AlarmSet();
        var rules = new Dictionary<(string Device, string Tag), List<Slot>>();
        foreach (AlarmDefinition alarm in alarms)
        {
            Slot slot;
            if (previous is not null && previous.ById.TryGetValue(alarm.Id, out Slot? old) && old.Alarm.Kind == alarm.Kind)
            {
                slot = old;
                if (!Equals(old.Alarm.Rule, alarm.Rule))
                {
                    slot.Rate = default; // a rate-of-change sample of the old rule says nothing about the new one
                }

                slot.Alarm = alarm;
            }
            else
            {
                slot = new Slot(this, alarm);
            }

            set.ById.Add(alarm.Id, slot);
            switch (alarm.Kind)
            {
                case AlarmKind.Rule:
                    (string, string) key = (alarm.DeviceId, alarm.TagId!);
                    if (!rules.TryGetValue(key, out List<Slot>? list))
                    {
                        rules.Add(key, list = []);
                    }

                    list.Add(slot);
                    break;
                case AlarmKind.Offline:
                    Device(set, previous, alarm.DeviceId).Offline = slot;
                    break;
                case AlarmKind.BadQuality:
                    Device(set, previous, alarm.DeviceId).BadQuality = slot;
                    break;
                default:
                    throw new InvalidOperationException($"Unhandled alarm kind {alarm.Kind}.");
            }
        }

        foreach (KeyValuePair<(string Device, string Tag), List<Slot>> entry in rules)
        {
            Device(set, previous, entry.Key.Device).Rules.Add(entry.Key.Tag, entry.Value.ToArray());
        }

        return set;
    }

    private static DeviceAlarms Device(AlarmSet set, AlarmSet? previous, string deviceId)
    {
        if (!set.Devices.TryGetValue(deviceId, out DeviceAlarms? device))
        {
            device = new DeviceAlarms();
            if (previous is not null && previous.Devices.TryGetValue(deviceId, out DeviceAlarms? old))
            {
                device.Failures = old.Failures;
                device.BadTags.UnionWith(old.BadTags);
            }

            set.Devices.Add(deviceId, device);
        }

        return device;
    }
}
