using Google.Protobuf;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>
/// Writes Sparkplug B payloads by hand with <see cref="CodedOutputStream"/> (our schema: <see cref="SparkplugFields"/>):
/// no generated or reflection-based message types, so nothing the AOT trimmer cannot see. One instance is reused for
/// every message of an edge node: the metrics are collected with <see cref="Add"/>, then <see cref="Finish"/> sizes
/// them (protobuf puts each embedded message's length before it) and writes them into a buffer that grows and is kept.
/// </summary>
/// <remarks>
/// Wire layout of what we write, in field order (scalars written only when present, proto2 style):
/// <code>
/// Payload  [0x08 timestamp] [0x12 len Metric]* [0x18 seq]
/// Metric   [0x0A len name] [0x10 alias] [0x18 timestamp] [0x20 datatype] [0x28 01 is_historical] [0x38 01 is_null]
///          [0x4A len PropertySet] [value: 0x50 int | 0x58 long | 0x65 float | 0x69 double | 0x70 bool | 0x7A len string]
/// PropertySet   [0x0A len "Quality"] [0x12 len PropertyValue]
/// PropertyValue [0x08 03 (Int32)] [0x18 code]
/// </code>
/// </remarks>
internal sealed class SparkplugPayloadWriter
{
    private const int QualityKeySize = 1 + 1 + 7; // tag, length, "Quality"

    private SparkplugMetric[] _metrics = new SparkplugMetric[64];
    private int[] _sizes = new int[64];
    private int _count;
    private ulong _timestamp;
    private ulong _seq;
    private bool _hasSeq;
    private byte[] _buffer = new byte[4096];

    /// <summary>Metrics added since <see cref="Begin"/>.</summary>
    public int Count => _count;

    /// <summary>Starts a payload. <paramref name="seq"/> is null only for NDEATH (tck-id-payloads-ndeath-seq).</summary>
    public void Begin(ulong timestamp, ulong? seq)
    {
        _count = 0;
        _timestamp = timestamp;
        _hasSeq = seq.HasValue;
        _seq = seq.GetValueOrDefault();
    }

    public void Add(in SparkplugMetric metric)
    {
        if (_count == _metrics.Length)
        {
            Array.Resize(ref _metrics, _count * 2);
            Array.Resize(ref _sizes, _count * 2);
        }

        _metrics[_count++] = metric;
    }

    /// <summary>
    /// The encoded payload, valid until the next <see cref="Begin"/> (MQTTnet has written a QoS 0 publish to the socket
    /// when its PublishAsync returns, so the buffer is free again by then).
    /// </summary>
    public ReadOnlyMemory<byte> Finish()
    {
        int size = 1 + CodedOutputStream.ComputeUInt64Size(_timestamp);
        if (_hasSeq)
        {
            size += 1 + CodedOutputStream.ComputeUInt64Size(_seq);
        }

        for (int i = 0; i < _count; i++)
        {
            int metricSize = ComputeMetricSize(_metrics[i]);
            _sizes[i] = metricSize;
            size += 1 + CodedOutputStream.ComputeLengthSize(metricSize) + metricSize;
        }

        if (_buffer.Length < size)
        {
            _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
        }

        var output = new CodedOutputStream(_buffer);
        output.WriteTag(SparkplugFields.Payload.Timestamp, WireFormat.WireType.Varint);
        output.WriteUInt64(_timestamp);
        for (int i = 0; i < _count; i++)
        {
            output.WriteTag(SparkplugFields.Payload.Metrics, WireFormat.WireType.LengthDelimited);
            output.WriteLength(_sizes[i]);
            WriteMetric(output, _metrics[i]);
        }

        if (_hasSeq)
        {
            output.WriteTag(SparkplugFields.Payload.Seq, WireFormat.WireType.Varint);
            output.WriteUInt64(_seq);
        }

        output.Flush();
        int written = (int)output.Position;
        System.Diagnostics.Debug.Assert(written == size, "computed and written sizes differ");
        return _buffer.AsMemory(0, written);
    }

    private static int ComputeMetricSize(in SparkplugMetric metric)
    {
        int size = 1 + CodedOutputStream.ComputeUInt64Size(metric.Timestamp);
        if (metric.Name is { } name)
        {
            size += 1 + CodedOutputStream.ComputeStringSize(name);
        }

        if (metric.Alias != 0)
        {
            size += 1 + CodedOutputStream.ComputeUInt64Size(metric.Alias);
        }

        if (metric.WriteDataType)
        {
            size += 1 + CodedOutputStream.ComputeUInt32Size((uint)metric.DataType);
        }

        if (metric.IsHistorical)
        {
            size += 2;
        }

        if (metric.Quality >= 0)
        {
            int propertySet = ComputeQualitySetSize(metric.Quality);
            size += 1 + CodedOutputStream.ComputeLengthSize(propertySet) + propertySet;
        }

        if (metric.IsNull)
        {
            return size + 2;
        }

        SparkplugWireValue value = metric.Value;
        return size + value.Field switch
        {
            SparkplugValueField.Int => 1 + CodedOutputStream.ComputeUInt32Size(value.IntBits),
            SparkplugValueField.Long => 1 + CodedOutputStream.ComputeUInt64Size(value.Bits),
            SparkplugValueField.Float => 1 + 4,
            SparkplugValueField.Double => 1 + 8,
            SparkplugValueField.Boolean => 1 + 1,
            SparkplugValueField.String => 1 + CodedOutputStream.ComputeStringSize(value.Text ?? string.Empty),
            _ => 0,
        };
    }

    private static int ComputeQualityValueSize(int quality) => 2 + 1 + CodedOutputStream.ComputeUInt32Size((uint)quality);

    private static int ComputeQualitySetSize(int quality)
    {
        int value = ComputeQualityValueSize(quality);
        return QualityKeySize + 1 + CodedOutputStream.ComputeLengthSize(value) + value;
    }

    private static void WriteMetric(CodedOutputStream output, in SparkplugMetric metric)
    {
        if (metric.Name is { } name)
        {
            output.WriteTag(SparkplugFields.Metric.Name, WireFormat.WireType.LengthDelimited);
            output.WriteString(name);
        }

        if (metric.Alias != 0)
        {
            output.WriteTag(SparkplugFields.Metric.Alias, WireFormat.WireType.Varint);
            output.WriteUInt64(metric.Alias);
        }

        output.WriteTag(SparkplugFields.Metric.Timestamp, WireFormat.WireType.Varint);
        output.WriteUInt64(metric.Timestamp);
        if (metric.WriteDataType)
        {
            output.WriteTag(SparkplugFields.Metric.DataType, WireFormat.WireType.Varint);
            output.WriteUInt32((uint)metric.DataType);
        }

        if (metric.IsHistorical)
        {
            output.WriteTag(SparkplugFields.Metric.IsHistorical, WireFormat.WireType.Varint);
            output.WriteBool(true);
        }

        if (metric.IsNull)
        {
            output.WriteTag(SparkplugFields.Metric.IsNull, WireFormat.WireType.Varint);
            output.WriteBool(true);
        }

        if (metric.Quality >= 0)
        {
            output.WriteTag(SparkplugFields.Metric.Properties, WireFormat.WireType.LengthDelimited);
            output.WriteLength(ComputeQualitySetSize(metric.Quality));
            output.WriteTag(SparkplugFields.PropertySet.Keys, WireFormat.WireType.LengthDelimited);
            output.WriteString(SparkplugQuality.PropertyName);
            output.WriteTag(SparkplugFields.PropertySet.Values, WireFormat.WireType.LengthDelimited);
            output.WriteLength(ComputeQualityValueSize(metric.Quality));
            output.WriteTag(SparkplugFields.PropertyValue.Type, WireFormat.WireType.Varint);
            output.WriteUInt32((uint)SparkplugDataType.Int32);
            output.WriteTag(SparkplugFields.PropertyValue.IntValue, WireFormat.WireType.Varint);
            output.WriteUInt32((uint)metric.Quality);
        }

        if (metric.IsNull)
        {
            return;
        }

        SparkplugWireValue value = metric.Value;
        switch (value.Field)
        {
            case SparkplugValueField.Int:
                output.WriteTag(SparkplugFields.Metric.IntValue, WireFormat.WireType.Varint);
                output.WriteUInt32(value.IntBits);
                break;
            case SparkplugValueField.Long:
                output.WriteTag(SparkplugFields.Metric.LongValue, WireFormat.WireType.Varint);
                output.WriteUInt64(value.Bits);
                break;
            case SparkplugValueField.Float:
                output.WriteTag(SparkplugFields.Metric.FloatValue, WireFormat.WireType.Fixed32);
                output.WriteFloat(value.SingleValue);
                break;
            case SparkplugValueField.Double:
                output.WriteTag(SparkplugFields.Metric.DoubleValue, WireFormat.WireType.Fixed64);
                output.WriteDouble(value.Real);
                break;
            case SparkplugValueField.Boolean:
                output.WriteTag(SparkplugFields.Metric.BooleanValue, WireFormat.WireType.Varint);
                output.WriteBool(value.Bits != 0);
                break;
            case SparkplugValueField.String:
                output.WriteTag(SparkplugFields.Metric.StringValue, WireFormat.WireType.LengthDelimited);
                output.WriteString(value.Text ?? string.Empty);
                break;
        }
    }
}
