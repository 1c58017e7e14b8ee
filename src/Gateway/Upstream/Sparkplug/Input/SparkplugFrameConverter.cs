using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

/// <summary>
/// Turns the durable buffer's frames into what the edge node publishes: the readings decoded from the stored body,
/// and the frame's tag table as Sparkplug metrics (one <see cref="SparkplugTagTable"/> instance per distinct table, so
/// the edge node sees a changed table, and only a changed one, as a new DBIRTH).
/// </summary>
/// <remarks>
/// Datatypes come from the type each tag's driver declares (<see cref="TagTableEntry.DataType"/>). Where the device
/// decides (OPC UA, SNMP: <see cref="TagDataType.Unknown"/>) the kind of the tag's value in the first frame read with
/// that table fixes it, Double when that frame has no value for the tag. A device poll whose every tag is bad is the
/// device lost (the supervisor marks every tag bad once when a device stops answering): DDEATH.
/// </remarks>
internal sealed class SparkplugFrameConverter
{
    private readonly Dictionary<TagTable, SparkplugTagTable> _tables = [];

    /// <summary>Decodes <paramref name="frame"/>; throws <see cref="StoredFormatException"/> for a damaged body.</summary>
    public SparkplugDeviceFrame Convert(BufferedFrame frame)
    {
        var points = new SparkplugPoint[frame.Count];
        var reader = new FrameBodyReader(frame.Body.Span, frame.Table.Count);
        int count = 0;
        bool allBad = true;
        while (reader.TryRead(out StoredReading reading))
        {
            if (count == points.Length)
            {
                throw new StoredFormatException($"damaged frame: more readings than its count {frame.Count}");
            }

            points[count++] = new SparkplugPoint(reading.TagIndex, reading.ToTagValue(), reading.Quality, reading.TimestampMs);
            allBad &= reading.Quality == Quality.Bad;
        }

        ReadOnlyMemory<SparkplugPoint> read = points.AsMemory(0, count);
        return new SparkplugDeviceFrame(
            frame.Table.DeviceId,
            TableFor(frame.Table, read.Span),
            read,
            frame.FirstSeq,
            frame.LastSeq,
            DeviceOffline: allBad && CoversEveryTag(read.Span, frame.Table.Count));
    }

    /// <summary>The Sparkplug view of <paramref name="table"/>, made once per distinct table.</summary>
    private SparkplugTagTable TableFor(TagTable table, ReadOnlySpan<SparkplugPoint> points)
    {
        if (_tables.TryGetValue(table, out SparkplugTagTable? known))
        {
            return known;
        }

        var tags = new SparkplugTag[table.Count];
        for (int i = 0; i < tags.Length; i++)
        {
            SparkplugDataType type = DataTypeOf(table[i].DataType);
            if (type == SparkplugDataType.Unknown)
            {
                type = SparkplugDataType.Double;
                foreach (SparkplugPoint point in points)
                {
                    if (point.TagIndex == i && !point.Value.IsNone)
                    {
                        type = DataTypeOf(point.Value.Kind);
                        break;
                    }
                }
            }

            tags[i] = new SparkplugTag(table[i].Id, type);
        }

        var converted = new SparkplugTagTable(tags);
        _tables.Add(table, converted);
        return converted;
    }

    private static bool CoversEveryTag(ReadOnlySpan<SparkplugPoint> points, int tagCount)
    {
        if (tagCount == 0 || points.Length < tagCount)
        {
            return false;
        }

        var seen = new bool[tagCount];
        int distinct = 0;
        foreach (SparkplugPoint point in points)
        {
            if ((uint)point.TagIndex < (uint)tagCount && !seen[point.TagIndex])
            {
                seen[point.TagIndex] = true;
                distinct++;
            }
        }

        return distinct == tagCount;
    }

    /// <summary>The Sparkplug datatype of a declared tag type; <see cref="SparkplugDataType.Unknown"/> when the device decides.</summary>
    public static SparkplugDataType DataTypeOf(TagDataType type) => type switch
    {
        TagDataType.Boolean => SparkplugDataType.Boolean,
        TagDataType.Int8 => SparkplugDataType.Int8,
        TagDataType.Int16 => SparkplugDataType.Int16,
        TagDataType.Int32 => SparkplugDataType.Int32,
        TagDataType.Int64 => SparkplugDataType.Int64,
        TagDataType.UInt8 => SparkplugDataType.UInt8,
        TagDataType.UInt16 => SparkplugDataType.UInt16,
        TagDataType.UInt32 => SparkplugDataType.UInt32,
        TagDataType.UInt64 => SparkplugDataType.UInt64,
        TagDataType.Float32 => SparkplugDataType.Float,
        TagDataType.Float64 => SparkplugDataType.Double,
        TagDataType.String => SparkplugDataType.String,
        _ => SparkplugDataType.Unknown,
    };

    /// <summary>The Sparkplug datatype for a value whose tag declares none.</summary>
    private static SparkplugDataType DataTypeOf(TagValueKind kind) => kind switch
    {
        TagValueKind.Boolean => SparkplugDataType.Boolean,
        TagValueKind.Int64 => SparkplugDataType.Int64,
        TagValueKind.UInt64 => SparkplugDataType.UInt64,
        TagValueKind.Float32 => SparkplugDataType.Float,
        TagValueKind.String => SparkplugDataType.String,
        _ => SparkplugDataType.Double,
    };
}
