namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>Store-and-forward against a real mosquitto: outages and crashes lose no committed reading.</summary>
public sealed class StoreAndForwardTests : BrokerTest
{
    private const string Prefix = "smartcity/lab/test-gw";

    [Fact]
    public async Task BrokerStoppedTenSeconds_ThenRestarted_EverySeqArrivesInOrderPerDevice()
    {
        string config = TestConfigs.Write(Directory, TestConfigs.CounterPark(Path.Combine(Directory, "data"), Broker.Port, devices: 3, pollInterval: "20ms"));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/telemetry/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        List<ReceivedMessage> before = await subscriber.CollectUntilAsync(r => TelemetryLog.Readings(r).Count() >= 100, TestTimeouts.Long);

        await Broker.StopAsync();
        DateTimeOffset outageStart = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(10)); // the outage itself is the behaviour under test, not synchronisation
        await Broker.StartProcessAsync();
        await subscriber.ReconnectAsync();

        // Done when readings sampled well after the outage have arrived: the backlog drains oldest-first, so
        // everything before them has been sent by then.
        DateTimeOffset afterOutage = DateTimeOffset.UtcNow.AddSeconds(1);
        List<ReceivedMessage> after = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => TelemetryLog.Readings(r).Select(x => x.Device).Distinct().All(d =>
                TelemetryLog.Readings(r).Any(x => x.Device == d && DateTimeOffset.Parse(x.Reading.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > afterOutage))
                && TelemetryLog.Readings(r).Select(x => x.Device).Distinct().Count() == 3,
            TestTimeouts.Long));

        List<ReceivedMessage> all = [.. before, .. after];
        Assert.Empty(TelemetryLog.MissingSeqs(all));
        TelemetryLog.AssertInOrderPerDevice(all);

        // Readings sampled during the outage were buffered and delivered, not skipped.
        Assert.Contains(TelemetryLog.Readings(after), x =>
            DateTimeOffset.Parse(x.Reading.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture) is var ts
            && ts > outageStart.AddSeconds(2) && ts < outageStart.AddSeconds(8));
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task GatewayKilledWithSigkill_ThenRestarted_NoCommittedSeqIsMissing()
    {
        string config = TestConfigs.Write(Directory, TestConfigs.CounterPark(Path.Combine(Directory, "data"), Broker.Port, devices: 2, pollInterval: "10ms"));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/telemetry/#");

        List<ReceivedMessage> before;
        string firstLog;
        await using (GatewayProcess first = GatewayProcess.Start("run", "--config", config))
        {
            before = await subscriber.CollectUntilAsync(r => TelemetryLog.Readings(r).Count() >= 200, TestTimeouts.Long);
            first.Kill(); // SIGKILL mid-stream: no shutdown code runs
            firstLog = first.Log;
        }

        long maxBeforeKill = TelemetryLog.AllSeqs(before).Max();
        await using GatewayProcess second = GatewayProcess.Start("run", "--config", config);
        long target = maxBeforeKill + 200;
        List<ReceivedMessage> after = await WithLogAsync(second, subscriber.CollectUntilAsync(
            r => TelemetryLog.Readings(r).GroupBy(x => x.Device).Count(g => g.Max(x => x.Seq) > target) == 2,
            TestTimeouts.Long));

        List<ReceivedMessage> all = [.. before, .. after];
        List<long> missing = TelemetryLog.MissingSeqs(all);
        Assert.True(
            missing.Count == 0,
            $"seqs never received: {string.Join(", ", missing)}; highest before the kill {maxBeforeKill}\nfirst gateway:\n{firstLog}\nsecond gateway:\n{second.Log}");
        TelemetryLog.AssertInOrderPerDevice(all);
        Assert.False(second.HasExited, second.Log);
    }

    [Fact]
    public async Task Sigterm_StopsCleanly_AndLeavesRetainedOfflineStatus()
    {
        string config = TestConfigs.Write(Directory, TestConfigs.CounterPark(Path.Combine(Directory, "data"), Broker.Port, devices: 1, pollInterval: "50ms"));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/status");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await subscriber.CollectUntilAsync(r => r.Any(m => m.Payload == "online"), TestTimeouts.Long);

        await gateway.TerminateAsync();

        Assert.Equal(0, gateway.ExitCode);
        await subscriber.CollectUntilAsync(r => r.Any(m => m.Payload == "offline"), TestTimeouts.Short);
        await using MqttTestSubscriber late = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/status");
        List<ReceivedMessage> retained = await late.CollectUntilAsync(r => r.Count >= 1, TestTimeouts.Short);
        Assert.Equal("offline", retained[0].Payload);
        Assert.True(retained[0].Retained);
    }

    /// <summary>Attaches the gateway's log to a timeout, so a failure says what the gateway was doing.</summary>
    private static async Task<T> WithLogAsync<T>(GatewayProcess gateway, Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\ngateway log:\n" + gateway.Log, ex);
        }
    }
}
