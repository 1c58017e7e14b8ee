using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// The payload codec on real bytes: our writer against hand-built bytes and against Tahu's JavaScript decoder, our
/// reader against bytes Tahu's JavaScript encoder made, and malformed or mutated input.
/// </summary>
public sealed class SparkplugPayloadCodecTests
{
    public static TheoryData<uint, TagValue, string> EveryType => new()
    {
        { (uint)SparkplugDataType.Int8, TagValue.FromInt64(-128), "-128" },
        { (uint)SparkplugDataType.Int8, TagValue.FromInt64(127), "127" },
        { (uint)SparkplugDataType.Int16, TagValue.FromInt64(-300), "-300" },
        { (uint)SparkplugDataType.Int32, TagValue.FromInt64(int.MinValue), "-2147483648" },
        { (uint)SparkplugDataType.Int64, TagValue.FromInt64(-5), "-5" },
        { (uint)SparkplugDataType.Int64, TagValue.FromInt64(long.MaxValue), "9223372036854775807" },
        { (uint)SparkplugDataType.UInt8, TagValue.FromInt64(255), "255" },
        { (uint)SparkplugDataType.UInt16, TagValue.FromInt64(65535), "65535" },
        { (uint)SparkplugDataType.UInt32, TagValue.FromInt64(4_000_000_000), "4000000000" },
        { (uint)SparkplugDataType.UInt64, TagValue.FromUInt64(ulong.MaxValue), "18446744073709551615" },
        { (uint)SparkplugDataType.Float, TagValue.FromDouble(-2.5), "-2.5" },
        { (uint)SparkplugDataType.Double, TagValue.FromDouble(0.1), "0.1" },
        { (uint)SparkplugDataType.Boolean, TagValue.FromBoolean(true), "true" },
        { (uint)SparkplugDataType.String, TagValue.FromString("zone 1 ☃"), "zone 1 ☃" },
        { (uint)SparkplugDataType.DateTime, TagValue.FromInt64(1_700_000_000_123), "1700000000123" },
    };

    [Fact]
    public void Writer_Int8MinusOne_WritesTheSignExtendedVarintByteForByte()
    {
        var writer = new SparkplugPayloadWriter();
        writer.Begin(timestamp: 1, seq: 2);
        Assert.True(SparkplugValueEncoding.TryEncode(SparkplugDataType.Int8, TagValue.FromInt64(-1), out SparkplugWireValue wire));
        writer.Add(new SparkplugMetric(null, Alias: 1, Timestamp: 5, SparkplugDataType.Int8, WriteDataType: false, wire, IsNull: false, IsHistorical: false, SparkplugMetric.NoQuality));
        // timestamp 1 · metric { alias 1 · timestamp 5 · int_value 0xFFFFFFFF } · seq 2
        Assert.Equal(Convert.FromHexString("080112 0A 1001 1805 50FFFFFFFF0F 1802".Replace(" ", string.Empty, StringComparison.Ordinal)), writer.Finish().ToArray());
    }

    [Fact]
    public void Writer_SeqZeroAndAliasQuality_ArePresentOnTheWire()
    {
        var writer = new SparkplugPayloadWriter();
        writer.Begin(timestamp: 7, seq: 0);
        writer.Add(new SparkplugMetric("a", 3, 9, SparkplugDataType.Int32, true, default, IsNull: true, IsHistorical: true, SparkplugQuality.Bad));
        SparkplugReceivedPayload read = SparkplugPayloadReader.Read(writer.Finish().ToArray(), maxMetrics: 10);
        Assert.Equal(0UL, read.Seq); // proto2 presence: a zero seq is written, not dropped
        SparkplugReceivedMetric metric = Assert.Single(read.Metrics);
        Assert.Equal(("a", 3UL, 9UL, 3U), (metric.Name, metric.Alias, metric.Timestamp, metric.DataType));
        Assert.True(metric.IsNull);
        Assert.True(metric.IsHistorical);
        Assert.Equal(SparkplugValueField.None, metric.Value.Field);
        Assert.Equal((0, 3U, 1), (metric.Quality, metric.QualityType, metric.PropertyCount));
    }

    [Fact]
    public void Writer_NoSeq_WritesNoSeqField()
    {
        var writer = new SparkplugPayloadWriter();
        writer.Begin(timestamp: 7, seq: null);
        Assert.Null(SparkplugPayloadReader.Read(writer.Finish().ToArray(), 10).Seq);
    }

    [Theory]
    [MemberData(nameof(EveryType))]
    public void ValueEncoding_EveryType_RoundTripsThroughOurWriterAndReader(uint datatype, TagValue value, string expected)
    {
        var type = (SparkplugDataType)datatype;
        Assert.True(SparkplugValueEncoding.TryEncode(type, value, out SparkplugWireValue wire));
        var writer = new SparkplugPayloadWriter();
        writer.Begin(1, 1);
        writer.Add(new SparkplugMetric("m", 1, 1, type, true, wire, false, false, SparkplugMetric.NoQuality));
        SparkplugReceivedMetric read = Assert.Single(SparkplugPayloadReader.Read(writer.Finish().ToArray(), 10).Metrics);
        Assert.True(SparkplugValueEncoding.TryDecode((SparkplugDataType)read.DataType!.Value, read.Value, out TagValue decoded));
        Assert.Equal(expected, decoded.ToString());
    }

    [Fact]
    public async Task Writer_EveryType_TahusJavaScriptDecoderReadsTheValues()
    {
        TheoryData<uint, TagValue, string> cases = EveryType;
        var writer = new SparkplugPayloadWriter();
        writer.Begin(1_700_000_000_000, 0);
        foreach (object[] row in cases)
        {
            var type = (SparkplugDataType)(uint)row[0];
            Assert.True(SparkplugValueEncoding.TryEncode(type, (TagValue)row[1], out SparkplugWireValue wire));
            writer.Add(new SparkplugMetric(type + "-" + row[2], 0, 1, type, true, wire, false, false, SparkplugQuality.Good));
        }

        string line = Assert.Single(await SparkplugJsCodec.DecodeAsync(writer.Finish().ToArray()));
        JsonElement decoded = JsonDocument.Parse(line).RootElement.GetProperty("decoded");
        JsonElement[] metrics = decoded.GetProperty("metrics").EnumerateArray().ToArray();
        Assert.Equal(cases.Count(), metrics.Length);
        int i = 0;
        foreach (object[] row in cases)
        {
            JsonElement metric = metrics[i++];
            Assert.Equal(((SparkplugDataType)(uint)row[0]).ToString(), metric.GetProperty("type").GetString());
            string value = metric.GetProperty("value").ValueKind == JsonValueKind.String ? metric.GetProperty("value").GetString()! : metric.GetProperty("value").GetRawText();
            Assert.Equal((string)row[2], value);
            Assert.Equal(192, metric.GetProperty("properties").GetProperty("Quality").GetProperty("value").GetInt32());
        }

        Assert.Equal("0", decoded.GetProperty("seq").GetString());
    }

    [Fact]
    public async Task Reader_BytesFromTahusJavaScriptEncoder_ReadsNamesTypesAndValues()
    {
        byte[][] payloads = await SparkplugJsCodec.EncodeAsync(
            """{"timestamp":5,"seq":0,"metrics":[{"name":"Node Control/Rebirth","type":"Boolean","value":true},{"name":"i8","alias":"7","type":"Int8","value":-1},{"name":"u64","type":"UInt64","value":"18446744073709551615"},{"name":"u32","type":"UInt32","value":"4000000000"},{"name":"i64","type":"Int64","value":"-5"},{"name":"f","type":"Float","value":1.5},{"name":"s","type":"String","value":"hé"},{"name":"q","type":"Int32","value":3,"properties":{"Quality":{"type":"Int32","value":500}}}]}""",
            """{"timestamp":6,"metrics":[{"name":"dataset","type":"DataSet","value":{"numOfColumns":1,"columns":["a"],"types":["Int32"],"rows":[[1]]}},{"name":"n","type":"Boolean","value":null,"isNull":true}]}""");
        SparkplugReceivedPayload first = SparkplugPayloadReader.Read(payloads[0], 10);
        Assert.Equal((5UL, 0UL), (first.Timestamp, first.Seq));
        string[] values = first.Metrics.Select(m => SparkplugValueEncoding.TryDecode((SparkplugDataType)m.DataType!.Value, m.Value, out TagValue v) ? v.ToString() : "?").ToArray();
        Assert.Equal(["true", "-1", "18446744073709551615", "4000000000", "-5", "1.5", "hé", "3"], values);
        Assert.Equal(7UL, first.Metrics[1].Alias);
        Assert.Equal(500, first.Metrics[7].Quality);

        // A DataSet is skipped (we take none), an explicit null is read as null.
        SparkplugReceivedPayload second = SparkplugPayloadReader.Read(payloads[1], 10);
        Assert.Null(second.Seq);
        Assert.Equal(SparkplugValueField.None, second.Metrics[0].Value.Field);
        Assert.True(second.Metrics[1].IsNull);
    }

    [Theory]
    [InlineData((uint)SparkplugDataType.Int8, 128L)]
    [InlineData((uint)SparkplugDataType.Int8, -129L)]
    [InlineData((uint)SparkplugDataType.Int16, 40000L)]
    [InlineData((uint)SparkplugDataType.UInt8, 256L)]
    [InlineData((uint)SparkplugDataType.UInt16, -1L)]
    [InlineData((uint)SparkplugDataType.UInt32, 4294967296L)]
    [InlineData((uint)SparkplugDataType.UInt64, -1L)]
    [InlineData((uint)SparkplugDataType.DateTime, -1L)]
    public void ValueEncoding_IntegerOutsideTheType_Refused(uint type, long value) =>
        Assert.False(SparkplugValueEncoding.TryEncode((SparkplugDataType)type, TagValue.FromInt64(value), out _));

    [Fact]
    public void ValueEncoding_WrongKinds_Refused()
    {
        Assert.False(SparkplugValueEncoding.TryEncode(SparkplugDataType.Int32, TagValue.FromDouble(2.5), out _));
        Assert.False(SparkplugValueEncoding.TryEncode(SparkplugDataType.Int64, TagValue.FromUInt64(ulong.MaxValue), out _));
        Assert.False(SparkplugValueEncoding.TryEncode(SparkplugDataType.Double, TagValue.FromString("3"), out _));
        Assert.False(SparkplugValueEncoding.TryEncode(SparkplugDataType.Boolean, TagValue.FromString("true"), out _));
        Assert.False(SparkplugValueEncoding.TryEncode(SparkplugDataType.DateTime, TagValue.FromString("yesterday"), out _));
        Assert.False(SparkplugValueEncoding.TryEncode(SparkplugDataType.String, TagValue.None, out _));
        Assert.False(SparkplugValueEncoding.TryEncode(SparkplugDataType.DataSet, TagValue.FromInt64(1), out _));
        Assert.True(SparkplugValueEncoding.TryEncode(SparkplugDataType.Int32, TagValue.FromDouble(-7.0), out SparkplugWireValue whole));
        Assert.Equal(unchecked((uint)-7), whole.IntBits);
    }

    [Theory]
    [InlineData("0A")] // a tag with no length
    [InlineData("12")] // metric tag, no length
    [InlineData("1205")] // metric longer than the payload
    [InlineData("FFFFFFFFFFFFFFFFFFFF01")] // an eleven-byte varint
    [InlineData("0D00000000")] // timestamp with wire type fixed32
    [InlineData("1202 0D00")] // metric name with wire type fixed32
    [InlineData("1204 4A02 0A00")] // property set with one key and no value
    [InlineData("1203 500001")] // an int_value then a stray byte inside the metric
    [InlineData("00")] // field number 0
    [InlineData("0F")] // wire type 7
    public void Reader_Malformed_ThrowsPayloadException(string hex) =>
        Assert.Throws<SparkplugPayloadException>(() => SparkplugPayloadReader.Read(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)), 10));

    [Fact]
    public void Reader_TooManyMetrics_ThrowsPayloadException() =>
        Assert.Throws<SparkplugPayloadException>(() => SparkplugPayloadReader.Read(Convert.FromHexString(string.Concat(Enumerable.Repeat("1200", 11))), 10));

    [Fact]
    public void Reader_SeededMutationsOfABirth_OnlyEverThrowsPayloadException()
    {
        var writer = new SparkplugPayloadWriter();
        writer.Begin(1_700_000_000_000, 0);
        foreach (object[] row in EveryType)
        {
            var type = (SparkplugDataType)(uint)row[0];
            SparkplugValueEncoding.TryEncode(type, (TagValue)row[1], out SparkplugWireValue wire);
            writer.Add(new SparkplugMetric("metric " + row[2], 17, 1_700_000_000_001, type, true, wire, false, false, SparkplugQuality.Good));
        }

        byte[] valid = writer.Finish().ToArray();
        var random = new Random(20_240_229);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] mutated = Mutate(valid, random);
            try
            {
                SparkplugPayloadReader.Read(mutated, 1000);
                parsed++;
            }
            catch (SparkplugPayloadException)
            {
            }
        }

        Assert.InRange(parsed, 1, 19_999); // both outcomes happen: the mutations reach the reader's checks
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] copy = (byte[])valid.Clone();
        switch (random.Next(4))
        {
            case 0:
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
                return copy;
            case 1:
                return copy[..random.Next(copy.Length)];
            case 2:
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
            default:
                byte[] inserted = new byte[copy.Length + 4];
                int at = random.Next(copy.Length);
                copy.AsSpan(0, at).CopyTo(inserted);
                random.NextBytes(inserted.AsSpan(at, 4));
                copy.AsSpan(at).CopyTo(inserted.AsSpan(at + 4));
                return inserted;
        }
    }
}
