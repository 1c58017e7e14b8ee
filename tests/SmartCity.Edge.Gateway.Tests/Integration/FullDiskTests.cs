using System.Globalization;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// The real binary with <c>data_dir</c> on a small tmpfs that another file fills (issue 15 item 2): it keeps running,
/// says so once (log, <c>/readyz</c>, metric), delivers what it holds while the disk is full, alarms raised while it
/// is full reach the broker, telemetry resumes when space returns, and no seq is missing.
/// </summary>
public sealed class FullDiskTests : BrokerTest
{
    private const string Prefix = "smartcity/lab/full-gw";

    [Fact]
    public async Task VolumeFilledDuringOutage_SaidOnce_BacklogAndNewAlarmsDeliveredWhileFull_TelemetryResumesWithoutGaps()
    {
        using SmallFilesystem volume = SmallFilesystem.Mount(sizeMiB: 16);
        string config = TestConfigs.Write(Directory, Park(Path.Combine(volume.Path, "data"), Broker.Port));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int httpPort = await gateway.WaitForHttpPortAsync();
        using var http = new HttpClient();

        List<ReceivedMessage> before = await gateway.WithLogAsync(subscriber.CollectUntilAsync(r => TelemetryLog.Readings(r).Count() >= 100, TestTimeouts.Long));

        // The broker goes away, so the buffer must grow; then another file takes every free byte.
        await Broker.StopAsync();
        volume.Fill("runaway.log");
        await gateway.WaitForLogAsync("is full: telemetry is held in memory", TestTimeouts.Long);
        string readyz = await ReadyzAsync(http, httpPort);
        Assert.Contains("not ready: buffer disk full", readyz, StringComparison.Ordinal);
        await GatewayMetrics.WaitForAsync(http, httpPort, m => m.Contains("smartcity_edge_buffer_disk_full 1", StringComparison.Ordinal));

        // The broker returns while the disk is still full: what the buffer holds is delivered, and the alarm goes on
        // making transitions (the pipeline reads and evaluates every poll while its telemetry batch is held): they commit
        // into the disk reserve and arrive too.
        int transitionsMade = CountTransitions(gateway.Log);
        await Broker.StartProcessAsync();
        await subscriber.ReconnectAsync();
        List<ReceivedMessage> whileFull = await gateway.WithLogAsync(subscriber.CollectUntilAsync(
            r => AlarmSeqs([.. before, .. r]).Count >= transitionsMade + 6,
            TestTimeouts.Long));
        Assert.Contains("smartcity_edge_buffer_disk_full 1", await GatewayMetrics.ScrapeAsync(http, httpPort), StringComparison.Ordinal);
        Assert.Contains("smartcity_edge_readings_dropped_total ", await GatewayMetrics.ScrapeAsync(http, httpPort), StringComparison.Ordinal);

        // Space returns: telemetry resumes.
        File.Delete(Path.Combine(volume.Path, "runaway.log"));
        await gateway.WaitForLogAsync("has room again", TestTimeouts.Long);
        DateTimeOffset resumed = DateTimeOffset.UtcNow.AddSeconds(1);
        List<ReceivedMessage> after = await gateway.WithLogAsync(subscriber.CollectUntilAsync(
            r => TelemetryLog.Readings(r).Any(x => DateTimeOffset.Parse(x.Reading.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture) > resumed),
            TestTimeouts.Long));
        await GatewayMetrics.WaitForAsync(http, httpPort, m => m.Contains("smartcity_edge_buffer_disk_full 0", StringComparison.Ordinal));

        List<ReceivedMessage> all = [.. before, .. whileFull, .. after];
        List<long> missing = TelemetryLog.MissingSeqs(all);
        Assert.True(missing.Count == 0, $"seqs never received ({missing.Count}): {string.Join(", ", missing.Take(50))}\n{gateway.Log}");
        TelemetryLog.AssertInOrderPerDevice(all);
        Assert.Equal(1, gateway.Log.Split('\n').Count(line => line.Contains("is full: telemetry is held in memory", StringComparison.Ordinal)));
        Assert.DoesNotContain("buffer disk full", await ReadyzAsync(http, httpPort), StringComparison.Ordinal);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    private static HashSet<long> AlarmSeqs(IEnumerable<ReceivedMessage> messages) =>
        messages.Where(m => m.Topic == Prefix + "/alarms").Select(m => m.Json.GetProperty("seq").GetInt64()).ToHashSet();

    private static int CountTransitions(string log) =>
        log.Split('\n').Count(line => line.Contains("Alarm count-high ", StringComparison.Ordinal));

    private static async Task<string> ReadyzAsync(HttpClient http, int port)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"));
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A simulator of 10 counters every 10 ms, a panel whose alarm flips every ~100 ms, the status endpoint.</summary>
    private static string Park(string dataDir, int brokerPort) => $"""
        gateway:
          id: full-gw
          site: lab
          data_dir: {dataDir}
        devices:
          - id: counters
            driver: simulator
            poll_interval: 10ms
            tags:
        {string.Concat(Enumerable.Range(1, 10).Select(t => $"      - id: c{t}\n        signal: counter\n        min: 0\n        max: 1000000000\n"))}
        {AlarmConfigs.FlappingPanel}
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{brokerPort}
            client_id: full-gw
            topic_prefix: {Prefix}
            qos: 1
        http:
          listen: 127.0.0.1:0
        """;
}
