using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;

/// <summary>
/// Metric aliases of the edge node (§6.4.7): unique across the node's own metrics and every device's
/// (tck-id-payloads-alias-uniqueness), starting at 1 (a proto3 decoder loses 0), and stable for the life of the
/// process, so a rebirth, a device's DBIRTH after an outage or a reload that adds a tag repeats the aliases it gave
/// before. bdSeq and Node Control metrics get none: hosts match them by name (an alias-only NDEATH broke Ignition).
/// </summary>
internal sealed class SparkplugAliasTable
{
    /// <summary>Alarm metrics per alarm: State, Severity, Message, Seq, Ack By.</summary>
    public const int AlarmMetricCount = 5;

    private readonly Dictionary<string, DeviceAliases> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _alarms = new(StringComparer.Ordinal);
    private ulong _next = 1;

    /// <summary>The aliases of a device's tags, by index in <paramref name="tags"/>.</summary>
    public ulong[] ForDevice(string deviceId, SparkplugTagTable tags)
    {
        if (!_devices.TryGetValue(deviceId, out DeviceAliases? device))
        {
            device = new DeviceAliases();
            _devices.Add(deviceId, device);
        }

        if (!ReferenceEquals(device.Table, tags))
        {
            var aliases = new ulong[tags.Count];
            for (int i = 0; i < tags.Count; i++)
            {
                string id = tags[i].Id;
                if (!device.ById.TryGetValue(id, out ulong alias))
                {
                    alias = _next++;
                    device.ById.Add(id, alias);
                }

                aliases[i] = alias;
            }

            device.Table = tags;
            device.Aliases = aliases;
        }

        return device.Aliases;
    }

    /// <summary>The first of an alarm's <see cref="AlarmMetricCount"/> consecutive aliases.</summary>
    public ulong ForAlarm(string alarmId)
    {
        if (!_alarms.TryGetValue(alarmId, out ulong first))
        {
            first = _next;
            _next += AlarmMetricCount;
            _alarms.Add(alarmId, first);
        }

        return first;
    }

    private sealed class DeviceAliases
    {
        public SparkplugTagTable? Table { get; set; }

        public ulong[] Aliases { get; set; } = [];

        public Dictionary<string, ulong> ById { get; } = new(StringComparer.Ordinal);
    }
}
