using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Sparkplug;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// docs/scale-out.md: a gateway given two brokers that share messages (mosquitto's bridge standing in for a cluster's
/// nodes), and a consumer on one of them only. Whichever broker the gateway is connected to, the consumer gets every
/// reading, in order, across a failover and back.
/// </summary>
public sealed class SparkplugScaleOutTests : BrokerTest
{
    [Fact]
    public async Task TwoBridgedBrokers_GatewayFailsOverToSecondAndBack_ConsumerOnSecondGetsEveryReadingInOrder()
    {
        await using MosquittoBroker second = await MosquittoBroker.StartBridgedAsync(Broker.Port, "spBv1.0/#");
        await using var toFirst = TcpRelay.Start(Broker.Port);
        await using var toSecond = TcpRelay.Start(second.Port);
        await using SparkplugHostPeer consumer = await SparkplugHostPeer.StartAsync(second.Port);
        await WaitForBridgeAsync(consumer);
        string config = TestConfigs.Write(Directory, $"""
            gateway:
              id: spb-gw
              site: lab
              data_dir: {Path.Combine(Directory, "data")}
            devices:
            {TestConfigs.CounterDevice("counter-1", "50ms")}
            upstream:
              sparkplug:
                servers: ["mqtt://127.0.0.1:{toFirst.Port}", "mqtt://127.0.0.1:{toSecond.Port}"]
                group_id: park-a
            """);
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        // On the first broker; the consumer on the second sees it through the bridge.
        await gateway.WithLogAsync(WaitForLiveAsync(consumer, session: 1, count: 10));
        Assert.Contains(" as spb-park-a-spb-gw ", Broker.ReadLog(), StringComparison.Ordinal);
        Assert.DoesNotContain(" as spb-park-a-spb-gw ", second.ReadLog(), StringComparison.Ordinal);

        // The first broker becomes unreachable: the gateway moves to the second.
        toFirst.Cut();
        await gateway.WithLogAsync(WaitForLiveAsync(consumer, session: 2, count: 10));
        Assert.Contains(" as spb-park-a-spb-gw ", second.ReadLog(), StringComparison.Ordinal);

        // And back: the second becomes unreachable, the first is there again.
        toFirst.Restore();
        toSecond.Cut();
        IReadOnlyList<JsonElement> messages = await gateway.WithLogAsync(WaitForLiveAsync(consumer, session: 3, count: 10));

        List<List<JsonElement>> sessions = SparkplugHostLog.Sessions(messages);
        long first = SparkplugHostLog.Values(sessions[0], "count", historical: false)[0];
        long thirdBirth = BirthValue(sessions[2]);
        Assert.True(SparkplugHostLog.Covers(messages, "count", first, thirdBirth), $"values between {first} and {thirdBirth} missing: {string.Join(", ", Missing(messages, first, thirdBirth))}");
        SparkplugHostLog.AssertSeqContinuous(sessions[0]);
        SparkplugHostLog.AssertHistoryBehindBirth(sessions[1], "count");
        SparkplugHostLog.AssertHistoryBehindBirth(sessions[2], "count");
        long[] bdSeqs = sessions.Select(s => long.Parse(SparkplugRig.Metric(s[0], "bdSeq").GetProperty("value").GetString()!, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(bdSeqs.Order(), bdSeqs);
        Assert.Equal(bdSeqs.Length, bdSeqs.Distinct().Count());
    }

    /// <summary>Waits until the consumer has <paramref name="count"/> live values in the <paramref name="session"/>th session (1-based).</summary>
    private static Task<IReadOnlyList<JsonElement>> WaitForLiveAsync(SparkplugHostPeer consumer, int session, int count) =>
        SparkplugHostLog.WaitForMessagesAsync(
            consumer,
            m => SparkplugHostLog.Sessions(m) is { } sessions && sessions.Count >= session
                && SparkplugHostLog.Values(sessions[session - 1].Where(x => SparkplugRig.IsMessage(x, "DDATA")), "count", historical: false).Count >= count,
            TestTimeouts.Long);

    private static long BirthValue(IReadOnlyList<JsonElement> session) =>
        long.Parse(SparkplugRig.Metric(session.First(m => SparkplugRig.IsMessage(m, "DBIRTH")), "count").GetProperty("resolvedValue").GetString()!, CultureInfo.InvariantCulture);

    private static IEnumerable<long> Missing(IReadOnlyList<JsonElement> messages, long from, long through)
    {
        var seen = new HashSet<long>(SparkplugHostLog.Values(messages, "count", false).Concat(SparkplugHostLog.Values(messages, "count", true)));
        for (long v = from; v <= through; v++)
        {
            if (!seen.Contains(v))
            {
                yield return v;
            }
        }
    }

    /// <summary>Publishes a probe on the first broker until the consumer on the second receives it: the bridge is up.</summary>
    private async Task WaitForBridgeAsync(SparkplugHostPeer consumer)
    {
        await using MqttTestSubscriber publisher = await MqttTestSubscriber.ConnectAsync(Broker.Port, "spBv1.0/probe/#");
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (true)
        {
            await publisher.PublishBytesAsync("spBv1.0/probe/NDATA/bridge", []);
            try
            {
                await consumer.WaitForAsync(e => e.TryGetProperty("group", out JsonElement group) && group.GetString() == "probe", timeout: TimeSpan.FromSeconds(1));
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                // The bridge connects within restart_timeout (1 s); a probe sent before it subscribed is not forwarded.
            }
        }
    }
}
