using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;

/// <summary>
/// What the edge node knows of one device: its current tag table and aliases, the last value of each tag (for the
/// DBIRTH, which must carry every metric with its current value), whether it is reachable, and whether it is born in
/// the current session.
/// </summary>
internal sealed class SparkplugDeviceState
{
    public SparkplugDeviceState(string deviceId, SparkplugTagTable tags, ulong[] aliases)
    {
        DeviceId = deviceId;
        Tags = tags;
        Aliases = aliases;
        Values = new TagValue[tags.Count];
        Qualities = new Quality[tags.Count];
        Timestamps = new long[tags.Count];
        HasValue = new bool[tags.Count];
        HostSawNotGood = new bool[tags.Count];
    }

    public string DeviceId { get; }

    public SparkplugTagTable Tags { get; private set; }

    public ulong[] Aliases { get; private set; }

    public TagValue[] Values { get; private set; }

    public Quality[] Qualities { get; private set; }

    public long[] Timestamps { get; private set; }

    /// <summary>False for a tag no reading has reached yet: its DBIRTH metric is null with BAD quality.</summary>
    public bool[] HasValue { get; private set; }

    /// <summary>
    /// The last Quality the host got for the tag was not GOOD: the next GOOD value carries <c>Quality = 192</c>
    /// explicitly (an absent Quality means GOOD to Cirrus Link hosts, but only an explicit one ends a BAD for others).
    /// </summary>
    public bool[] HostSawNotGood { get; private set; }

    /// <summary>The last frame did not say the device was lost.</summary>
    public bool Online { get; set; }

    /// <summary>A DBIRTH went out in this session and no DDEATH since: DDATA may follow.</summary>
    public bool Born { get; set; }

    /// <summary>
    /// Takes a new tag table (a reload changed the device's tags): values of tags that stay are kept, and the device
    /// needs a new DBIRTH (§5.11: a changed metric set is announced by a birth).
    /// </summary>
    public void Retable(SparkplugTagTable tags, ulong[] aliases)
    {
        var values = new TagValue[tags.Count];
        var qualities = new Quality[tags.Count];
        var timestamps = new long[tags.Count];
        var hasValue = new bool[tags.Count];
        var sawNotGood = new bool[tags.Count];
        for (int i = 0; i < tags.Count; i++)
        {
            int old = Tags.IndexOf(tags[i].Id);
            if (old >= 0 && Tags[old].Type == tags[i].Type)
            {
                values[i] = Values[old];
                qualities[i] = Qualities[old];
                timestamps[i] = Timestamps[old];
                hasValue[i] = HasValue[old];
            }
        }

        Tags = tags;
        Aliases = aliases;
        Values = values;
        Qualities = qualities;
        Timestamps = timestamps;
        HasValue = hasValue;
        HostSawNotGood = sawNotGood;
        Born = false;
    }

    /// <summary>Records a frame's readings as the tags' current values.</summary>
    public void Apply(SparkplugDeviceFrame frame)
    {
        foreach (SparkplugPoint point in frame.Points.Span)
        {
            if ((uint)point.TagIndex >= (uint)Values.Length)
            {
                continue;
            }

            Values[point.TagIndex] = point.Value;
            Qualities[point.TagIndex] = point.Quality;
            Timestamps[point.TagIndex] = point.Timestamp;
            HasValue[point.TagIndex] = true;
        }

        Online = !frame.DeviceOffline;
    }
}
