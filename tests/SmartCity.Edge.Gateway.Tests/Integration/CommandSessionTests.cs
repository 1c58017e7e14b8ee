using System.Text.Json;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Operator commands published while the gateway is away (stopped, its broker restarted, its network cut) are
/// queued by the broker in the gateway's persistent session and applied when it is back. Real binary, real mosquitto
/// (with persistence), the operator's ack sent by Debian's mosquitto_pub with QoS 1.
/// </summary>
public sealed class CommandSessionTests : BrokerTest
{
    private const string Prefix = AlarmConfigs.Prefix;
    private CommandTokens? _tokens;

    private CommandTokens Tokens => _tokens ??= new CommandTokens(Path.Combine(Directory, "keys"));

    /// <summary>Logged when the engine has moved the alarm in memory, before the transition is committed.</summary>
    private const string AckExecuted = "Command ack for alarm level-high by desk-1: Acknowledged";

    [Fact]
    public async Task AckPublished_WhileGatewayStopped_AppliedAfterRestart()
    {
        string config = TestConfigs.Write(Directory, AlarmConfigs.Park(Path.Combine(Directory, "data"), Broker.Port) + "\n" + Tokens.Section());
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        long occurrence = await RunUntilLevelHighActiveThenStopAsync(config, subscriber);

        await subscriber.PublishAsync(Prefix + "/commands/ack", await AckAsync(occurrence));

        await using GatewayProcess second = GatewayProcess.Start("run", "--config", config);
        await AssertAckAppliedAsync(second, subscriber);
        await second.WaitForLogAsync("MQTT session of client id alarm-gw: resumed", TestTimeouts.Short);
    }

    [Fact]
    public async Task AckPublished_WhileGatewayStopped_QueuedAcrossBrokerRestart_AppliedAfterRestart()
    {
        string config = TestConfigs.Write(Directory, AlarmConfigs.Park(Path.Combine(Directory, "data"), Broker.Port) + "\n" + Tokens.Section());
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        long occurrence = await RunUntilLevelHighActiveThenStopAsync(config, subscriber);

        // The broker keeps sessions and their queued messages across its restart only with persistence on (the test
        // broker has it; SIGTERM writes the persistence file).
        await subscriber.PublishAsync(Prefix + "/commands/ack", await AckAsync(occurrence));
        await Broker.StopAsync();
        await Broker.StartProcessAsync();
        await subscriber.ReconnectAsync();

        await using GatewayProcess second = GatewayProcess.Start("run", "--config", config);
        await AssertAckAppliedAsync(second, subscriber);
    }

    [Fact]
    public async Task AckPublished_WhileConnectionCut_AppliedAfterReconnect()
    {
        await using TcpRelay network = TcpRelay.Start(Broker.Port);
        string config = TestConfigs.Write(Directory, AlarmConfigs.Park(Path.Combine(Directory, "data"), network.Port) + "\n" + Tokens.Section());
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        long occurrence = Occurrence(await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Transitions(r, "level-high").Any(), TestTimeouts.Long)));

        // The broker has seen the gateway vanish once it published the will; only then is the ack sent, so with a clean
        // session there would be no subscription left to queue it for.
        network.Cut();
        await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => r.Any(m => m.Topic == Prefix + "/status" && m.Payload == "offline"), TestTimeouts.Long));
        await subscriber.PublishAsync(Prefix + "/commands/ack", await AckAsync(occurrence));
        network.Restore();

        await AssertAckAppliedAsync(gateway, subscriber);
    }

    [Fact]
    public async Task AckPublished_AfterBrokerRestart_QuietGatewayReconnectsWithoutDataAndApplies()
    {
        // Nothing changes on this park after the first poll (report-by-exception sends nothing more), so no record
        // waiting in the buffer would make the forwarder reconnect: the idle connection check must.
        string config = TestConfigs.Write(Directory, QuietPark(Path.Combine(Directory, "data"), Broker.Port));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        long occurrence = Occurrence(await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Transitions(r, "level-high").Any() && r.Any(m => m.Topic == Prefix + "/telemetry/panel"), TestTimeouts.Long)));

        await Broker.StopAsync();
        await Broker.StartProcessAsync();
        await subscriber.ReconnectAsync();
        await subscriber.PublishAsync(Prefix + "/commands/ack", await AckAsync(occurrence));

        await AssertAckAppliedAsync(gateway, subscriber);
    }

    [Fact]
    public async Task PersistentSession_DefaultOn_ConfigOffConnectsWithCleanSession()
    {
        string data = Path.Combine(Directory, "data");
        string config = TestConfigs.Write(Directory, AlarmConfigs.Park(data, Broker.Port));
        await using (GatewayProcess gateway = GatewayProcess.Start("run", "--config", config))
        {
            await gateway.WaitForLogAsync("MQTT session of client id alarm-gw: new", TestTimeouts.Long);
            await gateway.TerminateAsync();
        }

        config = TestConfigs.Write(Directory, AlarmConfigs.Park(data, Broker.Port)
            .Replace("    client_id: alarm-gw\n", "    client_id: alarm-gw\n    persistent_session: false\n", StringComparison.Ordinal));
        await using (GatewayProcess gateway = GatewayProcess.Start("run", "--config", config))
        {
            await gateway.WaitForLogAsync("Connected to MQTT broker", TestTimeouts.Long);
            Assert.DoesNotContain("MQTT session of client id", gateway.Log, StringComparison.Ordinal);
            await gateway.TerminateAsync();
        }

        // mosquitto logs the CONNECT's clean-session flag: c0 for the persistent session, c1 for the clean one.
        string log = Broker.ReadLog();
        Assert.Contains(" as alarm-gw (p2, c0,", log, StringComparison.Ordinal);
        Assert.Contains(" as alarm-gw (p2, c1,", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AckExecuted_GatewayKilledBeforeItsTransitionIsDurable_RedeliveredAndAppliedAfterRestart()
    {
        // The PUBACK follows execution: the ack below is executed in memory but cannot be committed (the test holds the
        // buffer's write lock, as a stalled disk would), and the gateway is killed then. Had it acknowledged the command
        // on receipt, the broker would have forgotten it and the restarted gateway would never acknowledge the alarm.
        string data = Path.Combine(Directory, "data");
        string config = TestConfigs.Write(Directory, QuietPark(data, Broker.Port));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using (GatewayProcess first = GatewayProcess.Start("run", "--config", config))
        {
            long occurrence = Occurrence(await WithLogAsync(first, subscriber.CollectUntilAsync(r => Transitions(r, "level-high").Any(), TestTimeouts.Long)));
            string ack = await AckAsync(occurrence);
            using (BufferWriteLock.Take(data))
            {
                await subscriber.PublishAsync(Prefix + "/commands/ack", ack);
                await first.WaitForLogAsync(AckExecuted, TestTimeouts.Long);
                await first.KillAsync(); // before the lock goes: the transition never became durable
            }

            Assert.DoesNotContain("done: acknowledged to the broker", first.Log, StringComparison.Ordinal);
        }

        await using GatewayProcess second = GatewayProcess.Start("run", "--config", config);
        await AssertAckAppliedAsync(second, subscriber);
        // The broker's redelivery (DUP set, MQTT 3.1.1 §3.3.1.1), not a new message, and now acknowledged.
        await second.WaitForLogAsync("Command on " + Prefix + "/commands/ack done: acknowledged to the broker (PUBACK, packet id ", TestTimeouts.Short);
        Assert.Contains(", redelivery True)", second.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AckExecuted_ConnectionLostBeforeItsTransitionIsDurable_RedeliveredAndAnsweredWithoutSecondTransition()
    {
        // The ack is executed, then the connection it came on drops while its transition waits for the disk; the
        // transition commits while the gateway is offline, so neither the reply nor the PUBACK can go out. After the
        // reconnect the broker delivers the command again: it finds the alarm acknowledged and must change nothing.
        await using TcpRelay network = TcpRelay.Start(Broker.Port);
        string data = Path.Combine(Directory, "data");
        string config = TestConfigs.Write(Directory, QuietPark(data, network.Port));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        List<ReceivedMessage> received = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Transitions(r, "level-high").Any(), TestTimeouts.Long));
        string ack = await AckAsync(Occurrence(received));

        using (BufferWriteLock.Take(data))
        {
            await subscriber.PublishAsync(Prefix + "/commands/ack", ack);
            await gateway.WaitForLogAsync(AckExecuted, TestTimeouts.Long);
            network.Cut();
            await gateway.WaitForLogAsync("MQTT connection to mqtt 127.0.0.1:" + network.Port + " closed", TestTimeouts.Long);
        }

        await gateway.WaitForLogAsync("done but not acknowledged to the broker: the connection it came on is closed", TestTimeouts.Long);
        Assert.Contains("Could not answer a command on " + Prefix + "/commands/result", gateway.Log, StringComparison.Ordinal);
        network.Restore();

        received.AddRange(await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Transitions(r, "level-high").Any(t => t.GetProperty("state").GetString() == "acknowledged")
                && r.Any(m => m.Topic == Prefix + "/commands/result"),
            TestTimeouts.Long)));
        JsonElement result = Assert.Single(received, m => m.Topic == Prefix + "/commands/result").Json;
        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal("away-1", result.GetProperty("id").GetString());
        Assert.Equal("acknowledged", result.GetProperty("state").GetString());
        await gateway.WaitForLogAsync("Command on " + Prefix + "/commands/ack done: acknowledged to the broker (PUBACK, packet id ", TestTimeouts.Short);
        Assert.Contains(", redelivery True)", gateway.Log, StringComparison.Ordinal);

        // One acknowledgement, published once: the redelivery found its token used up (recorded once the ack's
        // transition was durable) and changed nothing.
        Assert.Single(Transitions(received, "level-high"), t => t.GetProperty("state").GetString() == "acknowledged");
        Assert.Single(gateway.Log.Split('\n'), l => l.Contains("Alarm level-high acknowledged", StringComparison.Ordinal));
        Assert.Contains("(replayed): token 'away-1' of key 'desk-1' was already executed", gateway.Log, StringComparison.Ordinal);
        Assert.Equal("replayed", result.GetProperty("code").GetString());
    }

    /// <summary>
    /// Latched alarms on a constant value: active from the first poll, then nothing changes but the siren output their
    /// action sets once (and resets on the ack).
    /// </summary>
    private string QuietPark(string dataDir, int brokerPort) => AlarmConfigs.LatchedPark(dataDir, brokerPort, Tokens.Section());

    /// <summary>
    /// First run: connected (and subscribed, which happens before the first publish) until level-high is active, then
    /// SIGTERM. Returns the occurrence an ack must name: the seq of that active transition.
    /// </summary>
    private static async Task<long> RunUntilLevelHighActiveThenStopAsync(string config, MqttTestSubscriber subscriber)
    {
        await using GatewayProcess first = GatewayProcess.Start("run", "--config", config);
        long occurrence = Occurrence(await WithLogAsync(first, subscriber.CollectUntilAsync(r => Transitions(r, "level-high").Any(), TestTimeouts.Long)));
        await first.TerminateAsync();
        return occurrence;
    }

    /// <summary>The operator's ack, signed by PyJWT with the desk's ES256 key; lives 4 minutes, time enough for the restarts in between.</summary>
    private Task<string> AckAsync(long occurrence) =>
        Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Ack("level-high", occurrence, "desk-1", jti: "away-1", comment: "sent while away", lifetime: TimeSpan.FromMinutes(4)));

    private static long Occurrence(List<ReceivedMessage> received) =>
        Transitions(received, "level-high").Single(t => t.GetProperty("state").GetString() == "active").GetProperty("seq").GetInt64();

    private static async Task AssertAckAppliedAsync(GatewayProcess gateway, MqttTestSubscriber subscriber)
    {
        List<ReceivedMessage> received = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Transitions(r, "level-high").Any(t => t.GetProperty("state").GetString() == "acknowledged")
                && r.Any(m => m.Topic == Prefix + "/commands/result"),
            TestTimeouts.Long));

        JsonElement acknowledged = Transitions(received, "level-high").Single(t => t.GetProperty("state").GetString() == "acknowledged");
        Assert.Equal("active", acknowledged.GetProperty("previous").GetString());
        Assert.Equal("desk-1", acknowledged.GetProperty("ack").GetProperty("by").GetString());
        Assert.Equal("sent while away", acknowledged.GetProperty("ack").GetProperty("comment").GetString());

        JsonElement result = Assert.Single(received, m => m.Topic == Prefix + "/commands/result").Json;
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal("away-1", result.GetProperty("id").GetString());
        Assert.Equal("acknowledged", result.GetProperty("state").GetString());
        Assert.False(gateway.HasExited, gateway.Log);
    }

    private static List<JsonElement> Transitions(List<ReceivedMessage> received, string alarm) =>
        received.Where(m => m.Topic == Prefix + "/alarms").Select(m => m.Json).Where(j => j.GetProperty("alarm").GetString() == alarm).ToList();

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
