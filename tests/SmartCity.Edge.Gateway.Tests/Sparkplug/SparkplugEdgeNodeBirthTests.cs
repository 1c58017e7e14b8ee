using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Tests.Integration;
using static SmartCity.Edge.Gateway.Tests.Sparkplug.SparkplugRig;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// Births and DATA as a Sparkplug host sees them (our host on npm mqtt, every payload decoded by Tahu's
/// sparkplug-payload), against a real mosquitto: order, seq, bdSeq, names, aliases, datatypes and values of every
/// tag type, quality.
/// </summary>
public sealed class SparkplugEdgeNodeBirthTests
{
    [Fact]
    public async Task EdgeNode_Connect_PublishesNBirthWithBdSeqNodeControlsAndProperties()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode();

        JsonElement nbirth = await rig.Host.WaitForMessageAsync("NBIRTH");
        Assert.Equal($"spBv1.0/{Group}/NBIRTH/{EdgeNode}", nbirth.GetProperty("topic").GetString());
        Assert.Equal(0, nbirth.GetProperty("qos").GetInt32());
        Assert.False(nbirth.GetProperty("retain").GetBoolean());
        Assert.True(nbirth.GetProperty("hasSeq").GetBoolean());
        Assert.Equal("0", nbirth.GetProperty("seq").GetString());
        Assert.True(nbirth.GetProperty("hasTimestamp").GetBoolean());

        JsonElement bdSeq = Metric(nbirth, "bdSeq");
        Assert.Equal(4, bdSeq.GetProperty("datatype").GetInt32()); // Int64
        Assert.Equal("0", bdSeq.GetProperty("value").GetString()); // a node's first connect
        Assert.Equal(JsonValueKind.Null, bdSeq.GetProperty("alias").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, bdSeq.GetProperty("timestamp").ValueKind);

        JsonElement rebirth = Metric(nbirth, "Node Control/Rebirth");
        Assert.Equal(11, rebirth.GetProperty("datatype").GetInt32()); // Boolean
        Assert.Equal("false", rebirth.GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, rebirth.GetProperty("alias").ValueKind);
        Assert.Equal("false", Metric(nbirth, "Node Control/Next Server").GetProperty("value").GetString());
        Assert.Equal("1.2.3-test", Metric(nbirth, "Properties/Software Version").GetProperty("value").GetString());
        Assert.Equal("SmartCity.Edge", Metric(nbirth, "Properties/Software").GetProperty("value").GetString());
        Assert.All(nbirth.GetProperty("metrics").EnumerateArray(), m => Assert.NotEqual(JsonValueKind.Null, m.GetProperty("timestamp").ValueKind));
    }

    [Fact]
    public async Task EdgeNode_EveryTagType_DBirthNamesDatatypesAliasesAndDDataByAliasCarryExactValues()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode();
        await rig.Host.WaitForMessageAsync("NBIRTH");

        long t1 = Now() - 1000;
        rig.Source.AddFrame("panel-1", AllTypes,
            Good(0, TagValue.FromInt64(-128), t1), Good(1, TagValue.FromInt64(-300), t1), Good(2, TagValue.FromInt64(int.MinValue), t1),
            Good(3, TagValue.FromInt64(-5), t1), Good(4, TagValue.FromInt64(255), t1), Good(5, TagValue.FromInt64(65535), t1),
            Good(6, TagValue.FromInt64(4_000_000_000), t1), Good(7, TagValue.FromUInt64(ulong.MaxValue), t1), Good(8, TagValue.FromDouble(1.5), t1),
            Good(9, TagValue.FromDouble(0.1), t1), Good(10, TagValue.FromBoolean(true), t1), Good(11, TagValue.FromString("héllo wörld"), t1),
            Good(12, TagValue.FromInt64(1_700_000_000_123), t1));

        JsonElement dbirth = await rig.Host.WaitForMessageAsync("DBIRTH");
        Assert.Equal($"spBv1.0/{Group}/DBIRTH/{EdgeNode}/panel-1", dbirth.GetProperty("topic").GetString());
        Assert.Equal("1", dbirth.GetProperty("seq").GetString());
        Assert.Equal(0, dbirth.GetProperty("qos").GetInt32());
        var expectedTypes = new Dictionary<string, int>
        {
            ["i8"] = 1, ["i16"] = 2, ["i32"] = 3, ["i64"] = 4, ["u8"] = 5, ["u16"] = 6, ["u32"] = 7, ["u64"] = 8,
            ["f32"] = 9, ["f64"] = 10, ["flag"] = 11, ["text"] = 12, ["when"] = 13,
        };
        var expectedBirth = new Dictionary<string, string>
        {
            ["i8"] = "-128", ["i16"] = "-300", ["i32"] = "-2147483648", ["i64"] = "-5", ["u8"] = "255", ["u16"] = "65535",
            ["u32"] = "4000000000", ["u64"] = "18446744073709551615", ["f32"] = "1.5", ["f64"] = "0.1", ["flag"] = "true",
            ["text"] = "héllo wörld", ["when"] = "1700000000123",
        };
        JsonElement[] birthMetrics = dbirth.GetProperty("metrics").EnumerateArray().ToArray();
        Assert.Equal(expectedTypes.Keys.Order(), birthMetrics.Select(m => m.GetProperty("name").GetString()!).Order());
        var aliases = new Dictionary<string, string>();
        foreach (JsonElement metric in birthMetrics)
        {
            string name = metric.GetProperty("name").GetString()!;
            Assert.Equal(expectedTypes[name], metric.GetProperty("datatype").GetInt32());
            Assert.Equal(expectedBirth[name], metric.GetProperty("resolvedValue").GetString());
            Assert.Equal("192", metric.GetProperty("quality").GetString());
            Assert.Equal(3, metric.GetProperty("qualityType").GetInt32());
            Assert.Equal(t1.ToString(CultureInfo.InvariantCulture), metric.GetProperty("timestamp").GetString());
            aliases.Add(name, metric.GetProperty("alias").GetString()!);
        }

        Assert.Equal(aliases.Count, aliases.Values.Distinct().Count());
        // Tahu's own decoder agrees where it can read the value without help (it needs the datatype: births only).
        Assert.Equal("-128", Metric(dbirth, "i8").GetProperty("value").GetString());
        Assert.Equal("18446744073709551615", Metric(dbirth, "u64").GetProperty("value").GetString());
        // Sign extension: Int8 −128 travels as the 32-bit two's complement in int_value.
        Assert.Equal("4294967168", Metric(dbirth, "i8").GetProperty("raw").GetProperty("intValue").GetString());
        // UInt32 travels in long_value, as Tahu, Ignition and the TCK expect.
        Assert.Equal("4000000000", Metric(dbirth, "u32").GetProperty("raw").GetProperty("longValue").GetString());

        long t2 = Now();
        rig.Source.AddFrame("panel-1", AllTypes,
            Good(0, TagValue.FromInt64(-1), t2), Good(1, TagValue.FromInt64(-1), t2 + 1), Good(2, TagValue.FromInt64(-1), t2 + 2),
            Good(3, TagValue.FromInt64(long.MinValue), t2), Good(4, TagValue.FromInt64(0), t2), Good(5, TagValue.FromInt64(1), t2),
            Good(6, TagValue.FromInt64(uint.MaxValue), t2), Good(7, TagValue.FromUInt64(0), t2), Good(8, TagValue.FromDouble(0.1), t2),
            Good(9, TagValue.FromDouble(0.1), t2), Good(10, TagValue.FromBoolean(false), t2), Good(11, TagValue.FromString(string.Empty), t2),
            Good(12, TagValue.FromString("2024-02-29T12:34:56.789Z"), t2));

        JsonElement ddata = await rig.Host.WaitForMessageAsync("DDATA");
        Assert.Equal("2", ddata.GetProperty("seq").GetString());
        Assert.Equal(0, ddata.GetProperty("qos").GetInt32());
        var expectedData = new Dictionary<string, string>
        {
            ["i8"] = "-1", ["i16"] = "-1", ["i32"] = "-1", ["i64"] = "-9223372036854775808", ["u8"] = "0", ["u16"] = "1",
            ["u32"] = "4294967295", ["u64"] = "0",
            ["f32"] = "0.10000000149011612", // a Float is 32 bits on the wire: 0.1 as a float32
            ["f64"] = "0.1", ["flag"] = "false", ["text"] = string.Empty, ["when"] = "1709210096789",
        };
        foreach (JsonElement metric in ddata.GetProperty("metrics").EnumerateArray())
        {
            // DATA by alias only: no name, no datatype (tck-id-payloads-alias-data-cmd-requirement, …-datatype-not-req).
            Assert.Equal(JsonValueKind.Null, metric.GetProperty("name").ValueKind);
            Assert.Equal(JsonValueKind.Null, metric.GetProperty("datatype").ValueKind);
            string name = metric.GetProperty("resolvedName").GetString()!;
            Assert.Equal(aliases[name], metric.GetProperty("alias").GetString());
            Assert.Equal(expectedData[name], metric.GetProperty("resolvedValue").GetString());
            Assert.False(metric.GetProperty("isHistorical").GetBoolean());
            Assert.Equal(JsonValueKind.Null, metric.GetProperty("quality").ValueKind); // GOOD, and the host never saw otherwise
        }

        Assert.Equal(13, ddata.GetProperty("metrics").GetArrayLength());
        Assert.Equal("4294967295", Metric(ddata, "i8").GetProperty("raw").GetProperty("intValue").GetString());
        Assert.Equal((t2 + 2).ToString(CultureInfo.InvariantCulture), Metric(ddata, "i32").GetProperty("timestamp").GetString());
        Assert.True(Metric(ddata, "f32").GetProperty("raw").TryGetProperty("floatValue", out _));
        Assert.True(Metric(ddata, "f64").GetProperty("raw").TryGetProperty("doubleValue", out _));

        // Births came before any data.
        IReadOnlyList<JsonElement> messages = rig.Host.Messages;
        Assert.Equal(["NBIRTH", "DBIRTH", "DDATA"], messages.Select(m => m.GetProperty("type").GetString()));
        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Telemetry, rig.Source.LastSeq, TestTimeouts.Short);
    }

    [Fact]
    public async Task EdgeNode_BadQualityAndValueOutsideType_NullWithQualityZeroThenExplicitGood()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode();
        await rig.Host.WaitForMessageAsync("NBIRTH");
        long t = Now();
        rig.Source.AddFrame("panel-1", AllTypes, Good(2, TagValue.FromInt64(7), t), Good(4, TagValue.FromInt64(8), t));
        JsonElement dbirth = await rig.Host.WaitForMessageAsync("DBIRTH");
        // Tags no reading reached yet are in the birth as null with BAD quality, never a made-up value.
        Assert.True(Metric(dbirth, "i16").GetProperty("isNull").GetBoolean());
        Assert.Equal("0", Metric(dbirth, "i16").GetProperty("quality").GetString());
        Assert.Equal(13, dbirth.GetProperty("metrics").GetArrayLength());

        rig.Source.AddFrame("panel-1", AllTypes, (2, TagValue.None, Quality.Bad, t + 1), Good(4, TagValue.FromInt64(300), t + 1));
        JsonElement bad = await rig.Host.WaitForMessageAsync("DDATA");
        Assert.True(Metric(bad, "i32").GetProperty("isNull").GetBoolean());
        Assert.Equal("0", Metric(bad, "i32").GetProperty("quality").GetString());
        Assert.Equal(JsonValueKind.Null, Metric(bad, "i32").GetProperty("resolvedValue").ValueKind);
        // 300 is no UInt8: null and BAD rather than a wrapped 44.
        Assert.True(Metric(bad, "u8").GetProperty("isNull").GetBoolean());
        Assert.Equal("0", Metric(bad, "u8").GetProperty("quality").GetString());
        Assert.Single(rig.Log.WithEventId(1811));

        rig.Source.AddFrame("panel-1", AllTypes, Good(2, TagValue.FromInt64(9), t + 2), (4, TagValue.FromInt64(10), Quality.Uncertain, t + 2));
        JsonElement recovered = await rig.Host.WaitForMessageAsync("DDATA", nth: 2);
        Assert.Equal("9", Metric(recovered, "i32").GetProperty("resolvedValue").GetString());
        Assert.Equal("192", Metric(recovered, "i32").GetProperty("quality").GetString()); // explicit GOOD after BAD
        Assert.Equal("10", Metric(recovered, "u8").GetProperty("resolvedValue").GetString());
        Assert.Equal("500", Metric(recovered, "u8").GetProperty("quality").GetString()); // uncertain: STALE
    }
}
