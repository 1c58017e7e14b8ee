using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The engine's state: one <see cref="Slot"/> per alarm, indexed per configuration in an <see cref="AlarmSet"/>.</summary>
internal sealed partial class AlarmEngine
{
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
