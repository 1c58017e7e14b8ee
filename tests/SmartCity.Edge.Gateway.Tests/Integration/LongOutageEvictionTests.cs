using System.Globalization;
using System.Text.Json;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// A broker outage long enough to fill a small <c>max_disk</c> (issue 15 item 5, shortened): the oldest telemetry is
/// evicted, the receiver gets a notice naming the evicted seq ranges before the data that follows the gap, every seq is
/// either received or inside a notice's range, and every alarm transition arrives.
/// </summary>
public sealed class LongOutageEvictionTests : BrokerTest
{
    private const string Prefix = "smartcity/lab/evict-gw";

    [Fact]
    public async Task BrokerDownUntilMaxDisk_ThenBack_NoticeNamesEvictedRangesBeforeTheDataAndAlarmsAllArrive()
    {
        string config = TestConfigs.Write(Directory, Park(Path.Combine(Directory, "data"), Broker.Port));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        List<ReceivedMessage> before = await gateway.WithLogAsync(subscriber.CollectUntilAsync(r => TelemetryLog.Readings(r).Count() >= 100, TestTimeouts.Long));

        await Broker.StopAsync();
        // Outage until the cap is reached and the oldest telemetry evicted (the gateway's own warning says so).
        await gateway.WaitForLogAsync("Buffer reached max_disk", TimeSpan.FromSeconds(120));
        int transitionsLoggedBeforeReturn = CountTransitions(gateway.Log);
        await Broker.StartProcessAsync();
        await subscriber.ReconnectAsync();

        DateTimeOffset afterOutage = DateTimeOffset.UtcNow.AddSeconds(1);
        List<ReceivedMessage> after = await gateway.WithLogAsync(subscriber.CollectUntilAsync(
            r => r.Any(m => m.Topic == Prefix + "/notices")
                && Devices.All(d => TelemetryLog.Readings(r).Any(x => x.Device == d && ReadingTime(x.Reading) > afterOutage)),
            TimeSpan.FromSeconds(120)));

        List<ReceivedMessage> all = [.. before, .. after];
        List<ReceivedMessage> notices = after.Where(m => m.Topic == Prefix + "/notices").ToList();
        var ranges = notices.SelectMany(n => n.Json.GetProperty("evicted").EnumerateArray().Select(r => (From: r[0].GetInt64(), To: r[1].GetInt64()))).ToList();
        Assert.NotEmpty(ranges);
        Assert.All(notices, n => Assert.Equal("evicted", n.Json.GetProperty("notice").GetString()));
        Assert.All(notices, n => Assert.True(n.Json.GetProperty("readings").GetInt64() > 0, n.Payload));

        // Every seq up to where every device has been received is either received or announced as evicted.
        var evicted = new Func<long, bool>(seq => ranges.Any(r => seq >= r.From && seq <= r.To));
        List<long> unexplained = TelemetryLog.MissingSeqs(all).Where(seq => !evicted(seq)).ToList();
        Assert.True(unexplained.Count == 0, $"seqs neither received nor in a notice ({unexplained.Count}): {string.Join(", ", unexplained.Take(50))}; ranges {string.Join(", ", ranges)}\n{gateway.Log}");
        Assert.True(TelemetryLog.MissingSeqs(all).Count > 0, "nothing was evicted: the outage did not reach max_disk");
        TelemetryLog.AssertInOrderPerDevice(all);

        // The notice comes before any telemetry after its gap.
        foreach ((ReceivedMessage notice, int index) in notices.Select(n => (n, after.IndexOf(n))))
        {
            long to = notice.Json.GetProperty("evicted").EnumerateArray().Max(r => r[1].GetInt64());
            int firstAfterGap = after.FindIndex(m => m.Topic.Contains("/telemetry/", StringComparison.Ordinal) && TelemetryLog.Readings([m]).Any(x => x.Seq > to));
            Assert.True(firstAfterGap < 0 || index < firstAfterGap, $"notice at {index} ({notice.Payload}) after telemetry past its gap at {firstAfterGap}");
        }

        // Alarms are never evicted: those committed between evicted frames (their seqs inside a range) arrived, the
        // transitions form one unbroken chain, and every transition made before the broker came back was delivered.
        List<JsonElement> alarms = all.Where(m => m.Topic == Prefix + "/alarms").Select(m => m.Json)
            .DistinctBy(a => a.GetProperty("seq").GetInt64()).OrderBy(a => a.GetProperty("seq").GetInt64()).ToList();
        Assert.Contains(alarms, a => evicted(a.GetProperty("seq").GetInt64()));
        for (int i = 1; i < alarms.Count; i++)
        {
            Assert.Equal(alarms[i - 1].GetProperty("state").GetString(), alarms[i].GetProperty("previous").GetString());
        }

        Assert.True(alarms.Count >= transitionsLoggedBeforeReturn, $"{alarms.Count} alarm transitions received, {transitionsLoggedBeforeReturn} made before the broker returned");
        Assert.Contains("sending the notice of", gateway.Log, StringComparison.Ordinal);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    private static readonly string[] Devices = ["counters-1", "counters-2", "counters-3"];

    private static int CountTransitions(string log) =>
        log.Split('\n').Count(line => line.Contains("Alarm count-high ", StringComparison.Ordinal));

    private static DateTimeOffset ReadingTime(JsonElement reading) =>
        DateTimeOffset.Parse(reading.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture);

    /// <summary>Three simulators of 20 counters every 10 ms (≈6,000 readings/s), a panel whose alarm flips every ~100 ms, a 1 MiB cap.</summary>
    private static string Park(string dataDir, int brokerPort) => $"""
        gateway:
          id: evict-gw
          site: lab
          data_dir: {dataDir}
        buffer:
          max_disk: 1MiB
        devices:
        {string.Concat(Devices.Select(Counters))}
        {AlarmConfigs.FlappingPanel}
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{brokerPort}
            client_id: evict-gw
            topic_prefix: {Prefix}
            qos: 1
        """;

    private static string Counters(string id) =>
        $"""
          - id: {id}
            driver: simulator
            poll_interval: 10ms
            tags:
        {string.Concat(Enumerable.Range(1, 20).Select(t => $"      - id: c{t}\n        signal: counter\n        min: 0\n        max: 1000000000\n"))}
        """;
}
