using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Tests.Integration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;
using static SmartCity.Edge.Gateway.Tests.Sparkplug.SparkplugRig;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>Several servers: one connection at a time, the next one when the current fails or a host says Next Server, and back.</summary>
public sealed class SparkplugEdgeNodeFailoverTests
{
    private static readonly SparkplugTagTable s_table = new([new SparkplugTag("level", SparkplugDataType.Int64)]);

    [Fact]
    public async Task EdgeNode_FirstBrokerKilled_FailsOverToSecondAndBackWithEveryReading()
    {
        await using SparkplugRig rig = await StartBrokersAsync(brokers: 2);
        rig.StartNode();
        await rig.Hosts[0].WaitForMessageAsync("NBIRTH");
        long t = Now();
        int next = 0;
        rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(next++), t));
        await rig.Hosts[0].WaitForMessageAsync("DBIRTH");

        await rig.Brokers[0].StopAsync();
        for (int i = 0; i < 10; i++)
        {
            rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(next++), t + next));
        }

        JsonElement onSecond = await rig.Hosts[1].WaitForMessageAsync("NBIRTH");
        Assert.Equal("1", Metric(onSecond, "bdSeq").GetProperty("value").GetString());
        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Telemetry, rig.Source.LastSeq, TestTimeouts.Short);
        foreach (int value in Enumerable.Range(1, 10))
        {
            await WaitForValueAsync(rig.Hosts[1], Text(value)); // nothing lost in the failover (the broker has it: the host gets it)
        }


        // The first comes back and the second dies: back to the first.
        await rig.Brokers[0].StartProcessAsync();
        await rig.Hosts[0].WaitForAsync(e => e.GetProperty("ev").GetString() == "connected", nth: 2);
        await rig.Brokers[1].StopAsync();
        for (int i = 0; i < 5; i++)
        {
            rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(next++), t + next));
        }

        JsonElement backOnFirst = await rig.Hosts[0].WaitForMessageAsync("NBIRTH", nth: 2);
        Assert.Equal("2", Metric(backOnFirst, "bdSeq").GetProperty("value").GetString());
        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Telemetry, rig.Source.LastSeq, TestTimeouts.Short);
        foreach (int value in Enumerable.Range(11, 5))
        {
            await WaitForValueAsync(rig.Hosts[0], Text(value));
        }

        Assert.Equal(2, rig.Log.WithEventId(1815).Count); // two lost sessions, logged once each
    }

    [Fact]
    public async Task EdgeNode_NodeCommandNextServer_SaysNDeathAndBirthsOnTheNextServer()
    {
        await using SparkplugRig rig = await StartBrokersAsync(brokers: 2);
        rig.StartNode();
        await rig.Hosts[0].WaitForMessageAsync("NBIRTH");
        await rig.Hosts[0].PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Next Server", true);

        JsonElement ndeath = await rig.Hosts[0].WaitForMessageAsync("NDEATH");
        Assert.Equal("0", Metric(ndeath, "bdSeq").GetProperty("value").GetString());
        JsonElement nbirth = await rig.Hosts[1].WaitForMessageAsync("NBIRTH");
        Assert.Equal("1", Metric(nbirth, "bdSeq").GetProperty("value").GetString());
        Assert.Single(rig.Log.WithEventId(1804));
    }

    /// <summary>The broker has the records once they are acknowledged; the host gets them a moment later.</summary>
    private static Task WaitForValueAsync(SparkplugHostPeer host, string value) =>
        host.WaitForAsync(e => (IsMessage(e, "DBIRTH") || IsMessage(e, "DDATA"))
            && e.GetProperty("metrics").EnumerateArray().Any(m => m.GetProperty("resolvedValue").GetString() == value));

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
