using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Tests.Integration;
using static SmartCity.Edge.Gateway.Tests.Sparkplug.SparkplugRig;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// DCMDs as the edge node reads them (mosquitto, DCMDs encoded by Tahu's sparkplug-payload or by hand): each metric
/// becomes a write request with its value decoded by the DBIRTH's datatype, or a refusal; the hand-off to the write
/// service is bounded; with commands off nothing is handed over, and the log says so at most once a minute.
/// </summary>
public sealed class SparkplugEdgeNodeDeviceCommandTests
{
    private static readonly string s_dcmd = $"spBv1.0/{Group}/DCMD/{EdgeNode}/panel-1";

    [Fact]
    public async Task EdgeNode_DcmdOfEveryScalarType_DecodedByTheDBirthsDatatype_IntegersBeyondTheTypeRefused()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        var writes = new SparkplugWriteChannel();
        rig.StartNode(CommandsOn(rig), writes: writes);
        rig.Source.AddFrame("panel-1", AllTypes, Good(0, TagValue.FromInt64(1), 1_000));
        await rig.Host.WaitForMessageAsync("DBIRTH");

        await rig.Host.PublishDeviceCommandAsync(Group, EdgeNode, "panel-1",
            Metric("i8", -1, "Int8"), Metric("i16", -300, "Int16"), Metric("i32", int.MinValue, "Int32"), Metric("i64", -5L, "Int64"),
            Metric("u8", 255, "UInt8"), Metric("u16", 65535, "UInt16"), Metric("u32", 4_000_000_000L, "UInt32"), Metric("f64", 2.5, "Double"),
            Metric("flag", true, "Boolean"), Metric("text", "open", "String"));
        SparkplugWriteRequest[] requests = await ReadAsync(writes, 10);
        Assert.All(requests, r => Assert.Null(r.Refusal));
        Assert.All(requests, r => Assert.Equal(("sparkplug:dcmd", "panel-1", s_dcmd), (r.Who, r.DeviceId, r.Topic)));
        Assert.Equal(["i8", "i16", "i32", "i64", "u8", "u16", "u32", "f64", "flag", "text"], requests.Select(r => r.TagId));
        Assert.Equal(["-1", "-300", "-2147483648", "-5", "255", "65535", "4000000000", "2.5", "true", "open"], requests.Select(r => r.Value.ToString()));

        // By hand: a UInt8 whose int_value is 300 (refused, never cut to 44), an Int8 as its bare low byte 0x80 (−128, as
        // some hosts send it), an Int16 in long_value beyond 32 bits (refused).
        await rig.Host.PublishRawAsync(s_dcmd, SparkplugRawPayload.Of(
            SparkplugRawPayload.IntMetric("u8", 5, SparkplugRawPayload.IntValue, 300),
            SparkplugRawPayload.IntMetric("i8", 1, SparkplugRawPayload.IntValue, 0x80),
            SparkplugRawPayload.IntMetric("i16", 2, SparkplugRawPayload.LongValue, 1UL << 40)));
        requests = await ReadAsync(writes, 3);
        Assert.Equal((CommandRefusalCode.Value, "u8"), (requests[0].Refusal?.Code, requests[0].TagId));
        Assert.Contains("300 does not fit it", requests[0].Refusal!.Reason, StringComparison.Ordinal);
        Assert.Equal(("i8", "-128"), (requests[1].TagId, requests[1].Value.ToString()));
        Assert.Null(requests[1].Refusal);
        Assert.Equal((CommandRefusalCode.Value, "i16"), (requests[2].Refusal?.Code, requests[2].TagId));
        rig.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task EdgeNode_DcmdFloodBeyondTheQueue_DroppedCountedLoggedOnce_NodeStillAnswersRebirth()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        var writes = new SparkplugWriteChannel(); // nobody reads it: the devices are "busy"
        rig.StartNode(CommandsOn(rig), writes: writes);
        rig.Source.AddFrame("panel-1", AllTypes, Good(0, TagValue.FromInt64(1), 1_000));
        await rig.Host.WaitForMessageAsync("DBIRTH");

        for (int i = 0; i < SparkplugWriteChannel.Capacity + 6; i++)
        {
            await rig.Host.PublishDeviceCommandAsync(Group, EdgeNode, "panel-1", "u16", i, "UInt16");
        }

        // The node reads its events in order: once the rebirth asked for after the flood is out, the flood was handled.
        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", true, qos: 1);
        await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2);
        Assert.Equal(6, rig.Node.DeviceCommandsDropped);
        Assert.Single(rig.Log.WithEventId(1821));
        SparkplugWriteRequest[] queued = await ReadAsync(writes, SparkplugWriteChannel.Capacity);
        Assert.Equal(Enumerable.Range(0, SparkplugWriteChannel.Capacity).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), queued.Select(r => r.Value.ToString()));
        Assert.False(writes.Reader.TryRead(out _));
    }

    [Fact]
    public async Task EdgeNode_CommandsOff_DcmdNeverHandedOver_CountedAndLoggedAtMostOnceAMinute()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var writes = new SparkplugWriteChannel();
        rig.StartNode(time: time, writes: writes); // a channel, but commands: false
        rig.Source.AddFrame("panel-1", AllTypes, Good(0, TagValue.FromInt64(1), 1_000));
        await rig.Host.WaitForMessageAsync("DBIRTH");

        await rig.Host.PublishDeviceCommandAsync(Group, EdgeNode, "panel-1", "u16", 1, "UInt16");
        await rig.Host.PublishDeviceCommandAsync(Group, EdgeNode, "panel-1", "u16", 2, "UInt16");
        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", true, qos: 1);
        await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2);
        Assert.Equal(2, rig.Node.DeviceCommandsRefused);
        Assert.Single(rig.Log.WithEventId(1806));

        time.Advance(TimeSpan.FromSeconds(61));
        await rig.Host.PublishDeviceCommandAsync(Group, EdgeNode, "panel-1", "u16", 3, "UInt16");
        await rig.WaitForLogAsync(1806, count: 2);
        Assert.Contains("3 DCMDs refused since start", rig.Log.WithEventId(1806)[1].Message, StringComparison.Ordinal);
        Assert.Equal(3, rig.Node.DeviceCommandsRefused);
        Assert.False(writes.Reader.TryRead(out _));
    }

    private static SparkplugUpstreamConfiguration CommandsOn(SparkplugRig rig) =>
        rig.Configuration() with { Commands = true, CommandsAllow = [CommandPermission.Parse("write:panel-1/*", out _)!] };

    private static Dictionary<string, object> Metric(string name, object value, string type) =>
        new() { ["name"] = name, ["type"] = type, ["value"] = value };

    private static async Task<SparkplugWriteRequest[]> ReadAsync(SparkplugWriteChannel writes, int count)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Short);
        var requests = new List<SparkplugWriteRequest>();
        while (requests.Count < count)
        {
            requests.Add(await writes.Reader.ReadAsync(timeout.Token));
        }

        return [.. requests];
    }
}
