using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Integration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;
using static SmartCity.Edge.Gateway.Tests.Sparkplug.SparkplugRig;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>NDEATH (explicit and as the broker-published Will) and bdSeq: matching the NBIRTH, +1 per CONNECT, persisted, wrapping.</summary>
public sealed class SparkplugEdgeNodeDeathTests
{
    [Fact]
    public async Task EdgeNode_Stop_PublishesNDeathAtQos1WithTheBirthBdSeqAndNoSeq()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode();
        JsonElement nbirth = await rig.Host.WaitForMessageAsync("NBIRTH");
        await rig.StopNodeAsync();

        JsonElement ndeath = await rig.Host.WaitForMessageAsync("NDEATH");
        AssertNDeath(ndeath, Metric(nbirth, "bdSeq").GetProperty("value").GetString()!);
        Assert.Single(rig.Log.WithEventId(1817));
    }

    [Fact]
    public async Task EdgeNode_LinkCut_BrokerPublishesTheWillNDeathAndTheNextConnectUsesTheNextBdSeq()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        await using TcpRelay relay = TcpRelay.Start(rig.Broker.Port);
        rig.StartNode(rig.Configuration(ports: [relay.Port]));
        JsonElement nbirth = await rig.Host.WaitForMessageAsync("NBIRTH");

        relay.Cut();
        JsonElement will = await rig.Host.WaitForMessageAsync("NDEATH");
        AssertNDeath(will, Metric(nbirth, "bdSeq").GetProperty("value").GetString()!);

        relay.Restore();
        JsonElement again = await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2);
        Assert.Equal("1", Metric(again, "bdSeq").GetProperty("value").GetString());
        Assert.Equal("0", again.GetProperty("seq").GetString());
    }

    [Fact]
    public async Task EdgeNode_Restarts_BdSeqContinuesFromDataDirectoryAndWrapsAfter255()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode();
        Assert.Equal("0", Metric(await rig.Host.WaitForMessageAsync("NBIRTH"), "bdSeq").GetProperty("value").GetString());
        await rig.StopNodeAsync();

        rig.StartNode();
        Assert.Equal("1", Metric(await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2), "bdSeq").GetProperty("value").GetString());
        await rig.StopNodeAsync();
        Assert.Equal("1\n", await File.ReadAllTextAsync(Path.Combine(rig.Data.Path, SparkplugBdSeqStore.FileName)));

        await File.WriteAllTextAsync(Path.Combine(rig.Data.Path, SparkplugBdSeqStore.FileName), "255\n");
        rig.StartNode();
        Assert.Equal("0", Metric(await rig.Host.WaitForMessageAsync("NBIRTH", nth: 3), "bdSeq").GetProperty("value").GetString());
        JsonElement[] deaths = [await rig.Host.WaitForMessageAsync("NDEATH"), await rig.Host.WaitForMessageAsync("NDEATH", nth: 2)];
        Assert.Equal(["0", "1"], deaths.Select(d => Metric(d, "bdSeq").GetProperty("value").GetString()));
    }

    [Fact]
    public async Task EdgeNode_FirstServerRefusesTcp_BdSeqNotUsedUpByTheAttempt()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        using var closed = new RefusingPort(); // connection refused before any CONNECT
        rig.StartNode(rig.Configuration(ports: [closed.Port, rig.Broker.Port]));
        JsonElement nbirth = await rig.Host.WaitForMessageAsync("NBIRTH");
        Assert.Equal("0", Metric(nbirth, "bdSeq").GetProperty("value").GetString());
        Assert.Contains(rig.Log.WithEventId(1801), e => e.Message.Contains("ConnectionRefused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EdgeNode_BdSeqFileCorrupt_WarnsAndStartsAtZero()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        await File.WriteAllTextAsync(Path.Combine(rig.Data.Path, SparkplugBdSeqStore.FileName), "not a number\u0000\u0001");
        rig.StartNode();
        Assert.Equal("0", Metric(await rig.Host.WaitForMessageAsync("NBIRTH"), "bdSeq").GetProperty("value").GetString());
        Assert.Single(rig.Log.WithEventId(1809));
    }

    private static void AssertNDeath(JsonElement ndeath, string bdSeq)
    {
        Assert.Equal($"spBv1.0/{Group}/NDEATH/{EdgeNode}", ndeath.GetProperty("topic").GetString());
        Assert.Equal(1, ndeath.GetProperty("qos").GetInt32());
        Assert.False(ndeath.GetProperty("retain").GetBoolean());
        Assert.False(ndeath.GetProperty("hasSeq").GetBoolean()); // tck-id-payloads-ndeath-seq
        JsonElement metric = Assert.Single(ndeath.GetProperty("metrics").EnumerateArray());
        Assert.Equal("bdSeq", metric.GetProperty("name").GetString());
        Assert.Equal(4, metric.GetProperty("datatype").GetInt32());
        Assert.Equal(bdSeq, metric.GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, metric.GetProperty("alias").ValueKind);
    }
}
