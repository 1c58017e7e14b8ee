using System.Collections.Frozen;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>
/// A device's tag table: the tag a reading's <see cref="TagReading.TagIndex"/> names, resolved once when the
/// configuration is loaded. Every stage works on a frame's table and arrays indexed like it; only the edges (status
/// page, upstream encoders) turn an index back into a tag id. The durable buffer stores a table once and each frame
/// with a reference to it, so a frame is rendered with the tags it was read with, also after the configuration changed.
/// </summary>
/// <remarks>Equal by content (device id, tag ids and types, in order): two loads of the same device give equal tables.</remarks>
public sealed class TagTable : IEquatable<TagTable>
{
    private readonly TagTableEntry[] _tags;
    private readonly int _hash;
    private FrozenDictionary<string, int>? _indexes;

    public TagTable(string deviceId, IEnumerable<TagTableEntry> tags)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        DeviceId = deviceId;
        _tags = [.. tags];
        var hash = new HashCode();
        hash.Add(deviceId, StringComparer.Ordinal);
        foreach (TagTableEntry tag in _tags)
        {
            ArgumentNullException.ThrowIfNull(tag.Id, nameof(tags));
            hash.Add(tag.Id, StringComparer.Ordinal);
            hash.Add(tag.DataType);
        }

        _hash = hash.ToHashCode();
    }

    public string DeviceId { get; }

    public IReadOnlyList<TagTableEntry> Tags => _tags;

    public int Count => _tags.Length;

    public TagTableEntry this[int index] => _tags[index];

    /// <summary>The table of a configured device: its tags in configuration order, each with the type its driver declares.</summary>
    public static TagTable For(DeviceDescriptor device, DriverSettings settings) =>
        new(device.Id, device.Tags.Select((tag, i) => new TagTableEntry(tag.Id, settings.DataTypeOf(i))));

    /// <summary>The index of <paramref name="tagId"/> (a lookup built on first use: the hot path never needs it).</summary>
    public bool TryGetIndex(string tagId, out int index)
    {
        FrozenDictionary<string, int> indexes = _indexes ??= _tags.Select((tag, i) => KeyValuePair.Create(tag.Id, i))
            .DistinctBy(pair => pair.Key, StringComparer.Ordinal)
            .ToFrozenDictionary(StringComparer.Ordinal);
        return indexes.TryGetValue(tagId, out index);
    }

    /// <summary>
    /// This table with <paramref name="added"/> after its tags (runtime tags of the device, <see cref="IReadingSink.TagIndexOf"/>):
    /// every index of this table means the same in the result.
    /// </summary>
    public TagTable Extend(IEnumerable<string> added) =>
        new(DeviceId, _tags.Concat(added.Select(id => new TagTableEntry(id, TagDataType.Unknown))));

    /// <summary>
    /// True when <paramref name="prefix"/>'s tags are the first tags of this table (same device, same ids in the same
    /// order): an index of <paramref name="prefix"/> means the same here. A table starts with itself.
    /// </summary>
    public bool StartsWith(TagTable prefix)
    {
        if (ReferenceEquals(this, prefix))
        {
            return true;
        }

        if (_tags.Length < prefix._tags.Length || !string.Equals(DeviceId, prefix.DeviceId, StringComparison.Ordinal))
        {
            return false;
        }

        for (int i = 0; i < prefix._tags.Length; i++)
        {
            if (!string.Equals(_tags[i].Id, prefix._tags[i].Id, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when both tables name the same tags in the same order (types aside): their indexes mean the same.</summary>
    public bool HasSameTags(TagTable other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return _tags.Length == other._tags.Length && StartsWith(other);
    }

    public bool Equals(TagTable? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || _hash != other._hash || !HasSameTags(other))
        {
            return false;
        }

        for (int i = 0; i < _tags.Length; i++)
        {
            if (_tags[i].DataType != other._tags[i].DataType)
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is TagTable other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString() => $"{DeviceId} ({_tags.Length} tags)";
}

/// <summary>One tag of a <see cref="TagTable"/>: its id and the type its driver declares (<see cref="TagDataType.Unknown"/> when the device decides).</summary>
public readonly record struct TagTableEntry(string Id, TagDataType DataType);
