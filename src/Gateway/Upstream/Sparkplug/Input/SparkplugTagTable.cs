namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

/// <summary>
/// A device's tags in configuration order; readings name a tag by its index here. One instance per device and
/// configuration: a reload that changes a device's tags makes a new table, which is how the edge node notices that
/// the device's metric set changed and a new DBIRTH is due (§5.11).
/// </summary>
internal sealed class SparkplugTagTable
{
    private readonly SparkplugTag[] _tags;
    private Dictionary<string, int>? _byId;

    public SparkplugTagTable(IEnumerable<SparkplugTag> tags)
    {
        _tags = tags.ToArray();
    }

    public int Count => _tags.Length;

    public SparkplugTag this[int index] => _tags[index];

    /// <summary>The index of the tag named <paramref name="id"/>, or −1 (built on first use: replay of an older table).</summary>
    public int IndexOf(string id)
    {
        _byId ??= _tags.Select((tag, index) => (tag.Id, index)).ToDictionary(t => t.Id, t => t.index, StringComparer.Ordinal);
        return _byId.TryGetValue(id, out int found) ? found : -1;
    }
}
