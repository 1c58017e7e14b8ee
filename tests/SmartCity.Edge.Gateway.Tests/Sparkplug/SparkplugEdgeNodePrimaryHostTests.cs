using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;
using static SmartCity.Edge.Gateway.Tests.Sparkplug.SparkplugRig;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// Primary Host STATE gating (§5.4, §5.5, §5.10): births only after the configured host's online STATE, stale STATEs
/// ignored by timestamp, NDEATH and reconnect when it goes offline, walking to a server where it is online.
/// </summary>
/// <remarks>
/// Ordering proofs rely on the node's single loop: once it logged its reaction to a later message (an ignored
/// garbage STATE), it has handled every earlier one, and anything it published for them reached the broker before
/// the test's next publish.
/// </remarks>
public sealed class SparkplugEdgeNodePrimaryHostTests
{
    private const string Host = "scada-1";
    private static readonly SparkplugTagTable s_table = new([new SparkplugTag("level", SparkplugDataType.Double)]);

    [Fact]
    public async Task EdgeNode_PrimaryHost_BirthsOnlyAfterItsOnlineStateThenLeavesOnANewerOffline()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode(rig.Configuration(primaryHostId: Host));
        await rig.WaitForLogAsync(1803); // connected and subscribed, waiting
        Assert.Equal(SparkplugSessionState.AwaitingHost, rig.Node.State);

        await rig.Host.PublishStateAsync("scada-2", online: true, timestamp: 1000); // another host: not ours
        await rig.Host.PublishStateAsync(Host, online: false, timestamp: 1000);
        await PublishGarbageStateAsync(rig, 1);
        Assert.Equal(SparkplugSessionState.AwaitingHost, rig.Node.State);

        await rig.Host.PublishStateAsync(Host, online: true, timestamp: 2000);
        JsonElement nbirth = await rig.Host.WaitForMessageAsync("NBIRTH");
        List<JsonElement> events = rig.Host.Events.ToList();
        int online = events.FindIndex(e => IsState(e, online: true, 2000));
        Assert.True(online >= 0 && online < events.FindIndex(e => IsMessage(e, "NBIRTH")), "NBIRTH before the host's online STATE");

        // An offline STATE older than the online one is a late Will of an earlier host session: ignored.
        await rig.Host.PublishStateAsync(Host, online: false, timestamp: 1500);
        await PublishGarbageStateAsync(rig, 2);
        rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromDouble(1), Now()));
        await rig.Host.WaitForMessageAsync("DBIRTH");
        Assert.DoesNotContain(rig.Host.Messages, m => IsMessage(m, "NDEATH"));

        // A newer offline: NDEATH, disconnect, start over (one server: the same one) and wait again.
        await rig.Host.PublishStateAsync(Host, online: false, timestamp: 3000);
        JsonElement ndeath = await rig.Host.WaitForMessageAsync("NDEATH");
        Assert.Equal(Metric(nbirth, "bdSeq").GetProperty("value").GetString(), Metric(ndeath, "bdSeq").GetProperty("value").GetString());
        await rig.WaitForLogAsync(1808, count: 2); // reconnected, sees the retained offline, stays without births (the first: before the births)
        Assert.Equal(SparkplugSessionState.AwaitingHost, rig.Node.State);

        await rig.Host.PublishStateAsync(Host, online: true, timestamp: 4000);
        JsonElement again = await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2);
        Assert.Equal("1", Metric(again, "bdSeq").GetProperty("value").GetString());
        JsonElement dbirth = await rig.Host.WaitForMessageAsync("DBIRTH", nth: 2);
        Assert.Equal("1", Metric(dbirth, "level").GetProperty("resolvedValue").GetString());
    }

    [Fact]
    public async Task EdgeNode_PrimaryHostRetainedOnline_BirthsRightAfterTheSubscription()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        await rig.Host.PublishStateAsync(Host, online: true, timestamp: Now());
        rig.StartNode(rig.Configuration(primaryHostId: Host));
        await rig.Host.WaitForMessageAsync("NBIRTH");
    }

    [Fact]
    public async Task EdgeNode_PrimaryHostOfflineOnFirstServer_WalksToTheServerWhereItIsOnline()
    {
        await using SparkplugRig rig = await StartBrokersAsync(brokers: 2);
        await rig.Hosts[0].PublishStateAsync(Host, online: false, timestamp: 5000);
        await rig.Hosts[1].PublishStateAsync(Host, online: true, timestamp: 5000);
        rig.StartNode(rig.Configuration(primaryHostId: Host));

        JsonElement nbirth = await rig.Hosts[1].WaitForMessageAsync("NBIRTH");
        Assert.Equal("1", Metric(nbirth, "bdSeq").GetProperty("value").GetString()); // the second CONNECT
        Assert.DoesNotContain(rig.Hosts[0].Messages, m => IsMessage(m, "NBIRTH"));
        JsonElement ndeath = await rig.Hosts[0].WaitForMessageAsync("NDEATH");
        Assert.Equal("0", Metric(ndeath, "bdSeq").GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("ONLINE")]
    [InlineData("{\"online\":\"yes\",\"timestamp\":1}")]
    [InlineData("{\"online\":true}")]
    [InlineData("{\"timestamp\":99}")]
    [InlineData("{\"online\":true,\"timestamp\":-5}")]
    [InlineData("{\"online\":true,\"timestamp\":1.5}")]
    [InlineData("{\"online\":true,\"timestamp\":99999999999999999999999}")]
    [InlineData("[true, 1]")]
    [InlineData("{\"online\":true,\"timestamp\":1} trailing")]
    [InlineData("{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]],\"online\":true,\"timestamp\":1}")]
    public async Task EdgeNode_HostileState_IgnoredWithoutBirths(string payload)
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode(rig.Configuration(primaryHostId: Host));
        await rig.WaitForLogAsync(1803);
        await rig.Host.PublishRawAsync(SparkplugTopicsState(), System.Text.Encoding.UTF8.GetBytes(payload), qos: 1, retain: false);
        await rig.WaitForLogAsync(1805);
        Assert.Equal(SparkplugSessionState.AwaitingHost, rig.Node.State);
        rig.AssertNoErrorsLogged();

        await rig.Host.PublishStateAsync(Host, online: true, timestamp: 10);
        await rig.Host.WaitForMessageAsync("NBIRTH");
    }

    [Fact]
    public async Task EdgeNode_HostileStateBinaryAndOversized_IgnoredWithoutBirths()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode(rig.Configuration(primaryHostId: Host));
        await rig.WaitForLogAsync(1803);
        await rig.Host.PublishRawAsync(SparkplugTopicsState(), [0xFF, 0xFE, 0x00, 0x7B, 0xC3, 0x28], qos: 1);
        await rig.WaitForLogAsync(1805);
        byte[] big = System.Text.Encoding.UTF8.GetBytes("{\"online\":true,\"timestamp\":1,\"pad\":\"" + new string('x', 100_000) + "\"}");
        await rig.Host.PublishRawAsync(SparkplugTopicsState(), big, qos: 1);
        await rig.WaitForLogAsync(1807); // the same topic again: at debug level
        Assert.Contains(rig.Log.Entries, e => e.Message.Contains("100", StringComparison.Ordinal) && e.Message.Contains("bytes", StringComparison.Ordinal));
        Assert.Equal(SparkplugSessionState.AwaitingHost, rig.Node.State);
        rig.AssertNoErrorsLogged();
    }

    private static string SparkplugTopicsState() => "spBv1.0/STATE/" + Host;

    private static async Task PublishGarbageStateAsync(SparkplugRig rig, int count)
    {
        await rig.Host.PublishRawAsync(SparkplugTopicsState(), "not json"u8.ToArray(), qos: 1);
        await rig.WaitForLogAsync(count == 1 ? 1805 : 1807, count == 1 ? 1 : count - 1);
    }

    private static bool IsState(JsonElement e, bool online, long timestamp) =>
        e.GetProperty("ev").GetString() == "state" && e.GetProperty("topic").GetString() == "spBv1.0/STATE/" + Host
        && e.GetProperty("payload").GetString() == $"{{\"online\":{(online ? "true" : "false")},\"timestamp\":{timestamp}}}";
}
