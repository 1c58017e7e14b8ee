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
internal sealed class AlarmEngine : IDeviceStatusObserver, IDisposable
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

    /// <summary>A connect or poll of the device failed; <paramref name="consecutiveFailures"/> counts since it was last online.</summary>
    public void OnDevicePollFailed(string deviceId, int consecutiveFailures, string reason, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_alarms.Devices.TryGetValue(deviceId, out DeviceAlarms? device))
            {
                return;
            }

            device.Failures = consecutiveFailures;

            // Bad tags of a device that does not answer are the offline alarm's business, not bad quality's.
            device.BadTags.Clear();
            if (device.BadQuality is { } badQuality)
            {
                SetCondition(badQuality, false, TagValue.None, null, null, at);
            }

            if (device.Offline is { } offline)
            {
                SetCondition(offline, consecutiveFailures >= offline.Alarm.OfflineAfter, TagValue.None, null, reason, at);
            }
        }
    }

    /// <summary>The device answered a poll.</summary>
    public void OnDeviceOnline(string deviceId, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_alarms.Devices.TryGetValue(deviceId, out DeviceAlarms? device))
            {
                return;
            }

            device.Failures = 0;
            if (device.Offline is { } offline)
            {
                SetCondition(offline, false, TagValue.None, null, null, at);
            }
        }
    }

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

    /// <summary>
    /// An ack naming <paramref name="occurrence"/> is not for the alarm's current occurrence: one that ended (the alarm
    /// was raised again since), one whose first transition is not committed yet (nobody can know its seq), or none at
    /// all. An alarm never raised has no occurrence and is left to "nothing to acknowledge".
    /// </summary>
    private static bool IsWrongOccurrence(Slot slot, long? occurrence) =>
        occurrence is { } named && slot.Occurrence is { } current && !current.IsNamedBy(named);

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

    private void EvaluateQuality(DeviceAlarms device, Slot badQuality, string tagId, in TagReading reading)
    {
        if (reading.Quality == Quality.Bad)
        {
            if (device.Failures > 0)
            {
                return; // the supervisor's "stale" readings of a device that stopped answering
            }

            device.BadTags.Add(tagId);
            SetCondition(badQuality, true, TagValue.None, tagId, reading.Reason ?? "bad quality", reading.SourceTimestamp);
        }
        else if (device.BadTags.Count > 0 && device.BadTags.Remove(tagId) && device.BadTags.Count == 0)
        {
            SetCondition(badQuality, false, TagValue.None, tagId, null, reading.SourceTimestamp);
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

    private void Publish(Slot slot, DateTimeOffset at, bool bypassRateLimit)
    {
        if (!bypassRateLimit)
        {
            if (slot.State == slot.Published)
            {
                slot.Suppressed++; // undoes a transition that was held back: nothing new to say
                return;
            }

            // Operator acks always go through; the limit is for a flapping process value.
            if (_maxTransitions > 0)
            {
                DateTimeOffset now = _time.GetUtcNow();
                while (slot.Recent.Count > 0 && slot.Recent.Peek() <= now - _rateWindow)
                {
                    slot.Recent.Dequeue();
                }

                if (slot.Recent.Count >= _maxTransitions)
                {
                    slot.Suppressed++;
                    TimeSpan wait = slot.Recent.Peek() + _rateWindow - now;
                    slot.RateTimer ??= _time.CreateTimer(static s => ((Slot)s!).Engine.OnRateWindowOpen((Slot)s!), slot, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    slot.RateTimer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                    return;
                }

                slot.Recent.Enqueue(now);
            }
        }

        AlarmLifecycle previous = slot.Published;
        slot.Published = slot.State;
        slot.Recorded = true;
        int suppressed = slot.Suppressed;
        slot.Suppressed = 0;
        (string? tag, string message) = Describe(slot);
        string? reason = slot.Alarm.Kind == AlarmKind.Rule ? null : slot.Reason;
        _sink.Publish(new AlarmEvent(
            slot.Alarm,
            slot.State,
            previous,
            slot.Value,
            tag,
            message,
            reason,
            at,
            slot.PendingAck,
            suppressed,
            slot.Origin)
        {
            Occurrence = slot.Occurrence,
        });
    }

    private void OnRateWindowOpen(Slot slot)
    {
        lock (_gate)
        {
            if (slot.State != slot.Published && !slot.Retired)
            {
                Publish(slot, _time.GetUtcNow(), bypassRateLimit: false);
            }
        }
    }

    private enum AlarmInput
    {
        Trip,
        Clear,
        Acknowledge,
    }

    /// <summary>One configuration's alarms, indexed; never changed after <see cref="Build"/>.</summary>
    private sealed class AlarmSet
    {
        public Dictionary<string, Slot> ById { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, DeviceAlarms> Devices { get; } = new(StringComparer.Ordinal);
    }

    private sealed class DeviceAlarms
    {
        /// <summary>Rules by tag array of each tag table seen (by reference); built on a table's first frame.</summary>
        private readonly Dictionary<TagTable, Slot[]?[]> _rulesByTable = new(ReferenceEqualityComparer.Instance);

        public Slot? Offline { get; set; }

        public Slot? BadQuality { get; set; }

        /// <summary>Rules by tag id.</summary>
        public Dictionary<string, Slot[]> Rules { get; } = new(StringComparer.Ordinal);

        public HashSet<string> BadTags { get; } = new(StringComparer.Ordinal);

        public int Failures { get; set; }

        /// <summary>A rule or the bad-quality alarm looks at this device's readings (the offline alarm only at its polls).</summary>
        public bool WatchesReadings => Rules.Count > 0 || BadQuality is not null;

        /// <summary>The rules of each tag of <paramref name="table"/>, by tag index (null: none). Under the engine's lock.</summary>
        public Slot[]?[] RulesFor(TagTable table)
        {
            if (!_rulesByTable.TryGetValue(table, out Slot[]?[]? byIndex))
            {
                byIndex = new Slot[]?[table.Count];
                for (int i = 0; i < byIndex.Length; i++)
                {
                    byIndex[i] = Rules.GetValueOrDefault(table[i].Id);
                }

                if (_rulesByTable.Count >= 16)
                {
                    // Tables of the past (before a reload, or before the device named more tags at run time): the
                    // device's frames now come with newer ones, so keep this cache from growing with them.
                    _rulesByTable.Clear();
                }

                _rulesByTable.Add(table, byIndex);
            }

            return byIndex;
        }
    }

    /// <summary>One alarm's mutable state; touched only under the engine's lock.</summary>
    private sealed class Slot(AlarmEngine engine, AlarmDefinition alarm)
    {
        public RateSample Rate;

        public AlarmEngine Engine { get; } = engine;

        /// <summary>The definition; a reload may replace it (same id and kind).</summary>
        public AlarmDefinition Alarm { get; set; } = alarm;

        /// <summary>Removed by a reload (<see cref="Retire"/>): late timer callbacks must do nothing.</summary>
        public bool Retired { get; set; }

        /// <summary>The condition with hysteresis, before delays.</summary>
        public bool Present { get; set; }

        /// <summary>The condition after delays: what drives the lifecycle.</summary>
        public bool Tripped { get; set; }

        public bool Pending { get; set; }

        public bool PendingTarget { get; set; }

        public DateTimeOffset Deadline { get; set; }

        public ITimer? DelayTimer { get; set; }

        public AlarmLifecycle State { get; set; }

        /// <summary>The state last handed to the sink (what the desk sees).</summary>
        public AlarmLifecycle Published { get; set; }

        /// <summary>A state was published or restored: the desk knows the alarm (retained state, row in <c>alarms.db</c>).</summary>
        public bool Recorded { get; set; }

        public Queue<DateTimeOffset> Recent { get; } = new();

        public int Suppressed { get; set; }

        public ITimer? RateTimer { get; set; }

        public TagValue Value { get; set; }

        public string? Tag { get; set; }

        public string? Reason { get; set; }

        public AlarmAcknowledgement? PendingAck { get; set; }

        /// <summary>A device's alarm: the device's condition.</summary>
        public DeviceAlarmOrigin? Origin { get; set; }

        /// <summary>A device's alarm: who asked us to acknowledge it, until the device reports it acknowledged.</summary>
        public AlarmAcknowledgement? RequestedAck { get; set; }

        /// <summary>The current (or last) raise: set when the alarm becomes active, kept until it is raised again.</summary>
        public AlarmOccurrence? Occurrence { get; set; }
    }
}
