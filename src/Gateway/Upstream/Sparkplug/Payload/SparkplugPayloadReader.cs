using System.Runtime.InteropServices;
using Google.Protobuf;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>
/// Reads a Sparkplug B payload with <see cref="CodedInputStream"/> (our schema: <see cref="SparkplugFields"/>). What
/// comes from the network is hostile: the caller bounds the payload size before calling, the metric count is capped,
/// fields we do not know (and DataSet, Template, MetaData, extensions) are skipped, and anything malformed — a
/// truncated varint, a length past the end, a wrong wire type for a known field — throws
/// <see cref="SparkplugPayloadException"/>; nothing else escapes.
/// </summary>
internal static class SparkplugPayloadReader
{
    public static SparkplugReceivedPayload Read(byte[] payload, int maxMetrics)
    {
        try
        {
            var input = new CodedInputStream(payload);
            var result = new SparkplugReceivedPayload();
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case SparkplugFields.Payload.Timestamp:
                        Expect(tag, WireFormat.WireType.Varint);
                        result.Timestamp = input.ReadUInt64();
                        break;
                    case SparkplugFields.Payload.Seq:
                        Expect(tag, WireFormat.WireType.Varint);
                        result.Seq = input.ReadUInt64();
                        break;
                    case SparkplugFields.Payload.Uuid:
                        Expect(tag, WireFormat.WireType.LengthDelimited);
                        result.Uuid = input.ReadString();
                        break;
                    case SparkplugFields.Payload.Body:
                        Expect(tag, WireFormat.WireType.LengthDelimited);
                        input.SkipLastField();
                        result.HasBody = true;
                        break;
                    case SparkplugFields.Payload.Metrics:
                        Expect(tag, WireFormat.WireType.LengthDelimited);
                        if (result.Metrics.Count == maxMetrics)
                        {
                            throw new SparkplugPayloadException($"more than {maxMetrics} metrics");
                        }

                        result.Metrics.Add(ReadMetric(input));
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }

            return result;
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new SparkplugPayloadException("not a protobuf payload: " + ex.Message, ex);
        }
    }

    private static SparkplugReceivedMetric ReadMetric(CodedInputStream input)
    {
        CodedInputStream nested = Nested(input);
        var metric = new SparkplugReceivedMetric();
        uint tag;
        while ((tag = nested.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case SparkplugFields.Metric.Name:
                    Expect(tag, WireFormat.WireType.LengthDelimited);
                    metric.Name = nested.ReadString();
                    break;
                case SparkplugFields.Metric.Alias:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.Alias = nested.ReadUInt64();
                    break;
                case SparkplugFields.Metric.Timestamp:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.Timestamp = nested.ReadUInt64();
                    break;
                case SparkplugFields.Metric.DataType:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.DataType = nested.ReadUInt32();
                    break;
                case SparkplugFields.Metric.IsHistorical:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.IsHistorical = nested.ReadBool();
                    break;
                case SparkplugFields.Metric.IsTransient:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.IsTransient = nested.ReadBool();
                    break;
                case SparkplugFields.Metric.IsNull:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.IsNull = nested.ReadBool();
                    break;
                case SparkplugFields.Metric.Properties:
                    Expect(tag, WireFormat.WireType.LengthDelimited);
                    ReadProperties(nested, metric);
                    break;
                case SparkplugFields.Metric.IntValue:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.Value = SparkplugWireValue.Int(nested.ReadUInt32());
                    break;
                case SparkplugFields.Metric.LongValue:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.Value = SparkplugWireValue.Long(nested.ReadUInt64());
                    break;
                case SparkplugFields.Metric.FloatValue:
                    Expect(tag, WireFormat.WireType.Fixed32);
                    metric.Value = SparkplugWireValue.Float(nested.ReadFloat());
                    break;
                case SparkplugFields.Metric.DoubleValue:
                    Expect(tag, WireFormat.WireType.Fixed64);
                    metric.Value = SparkplugWireValue.Double(nested.ReadDouble());
                    break;
                case SparkplugFields.Metric.BooleanValue:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.Value = SparkplugWireValue.Boolean(nested.ReadBool());
                    break;
                case SparkplugFields.Metric.StringValue:
                    Expect(tag, WireFormat.WireType.LengthDelimited);
                    metric.Value = SparkplugWireValue.String(nested.ReadString());
                    break;
                case SparkplugFields.Metric.BytesValue:
                    Expect(tag, WireFormat.WireType.LengthDelimited);
                    nested.SkipLastField();
                    metric.Value = SparkplugWireValue.Bytes;
                    break;
                default:
                    // metadata, dataset, template, extension and unknown fields: not ours to interpret.
                    nested.SkipLastField();
                    break;
            }
        }

        return metric;
    }

    /// <summary>Reads the keys and values of a PropertySet, keeping only the Quality property (§6.4.9.1).</summary>
    private static void ReadProperties(CodedInputStream input, SparkplugReceivedMetric metric)
    {
        CodedInputStream nested = Nested(input);
        int keyIndex = 0;
        int valueIndex = 0;
        int qualityIndex = -1;
        uint tag;
        while ((tag = nested.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case SparkplugFields.PropertySet.Keys:
                    Expect(tag, WireFormat.WireType.LengthDelimited);
                    if (nested.ReadString() == SparkplugQuality.PropertyName)
                    {
                        qualityIndex = keyIndex;
                    }

                    keyIndex++;
                    break;
                case SparkplugFields.PropertySet.Values:
                    Expect(tag, WireFormat.WireType.LengthDelimited);
                    // Keys come before values in every encoder we know of; a value read before its key is not Quality.
                    ReadPropertyValue(nested, metric, valueIndex == qualityIndex);
                    valueIndex++;
                    break;
                default:
                    nested.SkipLastField();
                    break;
            }
        }

        if (keyIndex != valueIndex)
        {
            throw new SparkplugPayloadException($"a property set has {keyIndex} keys and {valueIndex} values (tck-id-payloads-propertyset-keys-array-size)");
        }

        metric.PropertyCount += keyIndex;
    }

    private static void ReadPropertyValue(CodedInputStream input, SparkplugReceivedMetric metric, bool isQuality)
    {
        CodedInputStream nested = Nested(input);
        uint tag;
        while ((tag = nested.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case SparkplugFields.PropertyValue.Type when isQuality:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.QualityType = nested.ReadUInt32();
                    break;
                case SparkplugFields.PropertyValue.IntValue when isQuality:
                    Expect(tag, WireFormat.WireType.Varint);
                    metric.Quality = unchecked((int)nested.ReadUInt32());
                    break;
                default:
                    nested.SkipLastField();
                    break;
            }
        }

    }

    /// <summary>
    /// An embedded message as a stream of its own (CodedInputStream's limit stack is internal): its bytes are copied
    /// once, which is fine for the command path this serves, and a field cannot run past the message's end.
    /// </summary>
    private static CodedInputStream Nested(CodedInputStream input)
    {
        ByteString bytes = input.ReadBytes();
        if (!MemoryMarshal.TryGetArray(bytes.Memory, out ArraySegment<byte> segment))
        {
            segment = bytes.ToByteArray();
        }

        return new CodedInputStream(segment.Array!, segment.Offset, segment.Count);
    }

    private static void Expect(uint tag, WireFormat.WireType wireType)
    {
        if (WireFormat.GetTagWireType(tag) != wireType)
        {
            throw new SparkplugPayloadException($"field {WireFormat.GetTagFieldNumber(tag)} has wire type {WireFormat.GetTagWireType(tag)}, not {wireType}");
        }
    }
}
