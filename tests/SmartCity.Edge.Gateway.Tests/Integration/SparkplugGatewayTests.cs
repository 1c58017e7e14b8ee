using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Cli;
using SmartCity.Edge.Gateway.Tests.Sparkplug;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// The real binary as a Sparkplug B edge node, end to end: configuration → a Modbus device polled over TCP (pymodbus)
/// → alarms → the durable buffer → NBIRTH/DBIRTH/DDATA on mosquitto, read by our host application on Tahu's codec.
/// </summary>
public sealed class SparkplugGatewayTests : BrokerTest
{
    private const string Group = "park-a";
    private const string EdgeNode = "spb-gw";
    private const string JsonPrefix = "smartcity/lab/spb-gw";

    private static string PymodbusServer => Path.Combine(PeerProcess.PeersDirectory, "modbus", "pymodbus_server.py");

    [Fact]
    public async Task SparkplugUpstream_ModbusDevicePolled_BirthsThenDDataOfEveryPoll_AlarmAsNodeMetric_NDeathOnStop()
    {
        await using PeerProcess device = await PeerProcess.StartAsync("/usr/bin/python3", PymodbusServer, "tcp", "0", "--quiet");
        await using SparkplugHostPeer host = await SparkplugHostPeer.StartAsync(Broker.AnonymousPort);
        string config = TestConfigs.Write(Directory, Config(device.Port, sparkplugPort: Broker.Port, mqttPort: null));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        JsonElement nbirth = await gateway.WithLogAsync(host.WaitForMessageAsync("NBIRTH", timeout: TestTimeouts.Long));
        Assert.Equal("0", nbirth.GetProperty("seq").GetString());
        Assert.Equal("0", SparkplugRig.Metric(nbirth, "bdSeq").GetProperty("value").GetString());
        Assert.Equal("false", SparkplugRig.Metric(nbirth, "Node Control/Rebirth").GetProperty("value").GetString());
        Assert.Equal(12, SparkplugRig.Metric(nbirth, "Alarms/f32-low/State").GetProperty("datatype").GetInt32()); // String, announced before any transition

        JsonElement dbirth = await gateway.WithLogAsync(host.WaitForMessageAsync("DBIRTH"));
        Assert.Equal("meter", dbirth.GetProperty("device").GetString());
        Assert.Equal(6, SparkplugRig.Metric(dbirth, "reads").GetProperty("datatype").GetInt32()); // UInt16
        Assert.Equal(9, SparkplugRig.Metric(dbirth, "f32").GetProperty("datatype").GetInt32()); // Float
        Assert.Equal("-1234.5", SparkplugRig.Metric(dbirth, "f32").GetProperty("resolvedValue").GetString());
        Assert.Equal(2, SparkplugRig.Metric(dbirth, "i16").GetProperty("datatype").GetInt32()); // Int16, sign-extended
        Assert.Equal("-12345", SparkplugRig.Metric(dbirth, "i16").GetProperty("resolvedValue").GetString());

        // Every poll reads a new counter value: the DBIRTH's value, then each DDATA one up from the last, none missing.
        IReadOnlyList<JsonElement> messages = await gateway.WithLogAsync(WaitForMessagesAsync(host, m => ReadsValues(m, historical: false).Count >= 20, TestTimeouts.Long));
        List<long> reads = ReadsValues(messages, historical: false);
        Assert.Equal(Enumerable.Range(0, reads.Count).Select(i => reads[0] + i), reads);
        SparkplugHostLog.AssertSeqContinuous(messages);
        // Live DDATA carries only what changed: the counter. Polls made before the session was born (a loaded machine
        // polls before it connects) come after the DBIRTH as history with every metric of their poll, which is store
        // and forward doing its job, not a change report.
        Assert.All(messages.Where(m => SparkplugRig.IsMessage(m, "DDATA")), m => Assert.All(
            m.GetProperty("metrics").EnumerateArray().Where(x => !x.GetProperty("isHistorical").GetBoolean()),
            x => Assert.Equal("reads", x.GetProperty("resolvedName").GetString())));

        // The alarm on f32 (always −1234.5) is active from the first poll: in the NBIRTH, or an NDATA right after it.
        await gateway.WithLogAsync(WaitForMessagesAsync(host, m => m.Any(IsAlarmActive), TestTimeouts.Short));

        await gateway.TerminateAsync();
        Assert.Equal(0, gateway.ExitCode);
        JsonElement ndeath = await host.WaitForMessageAsync("NDEATH");
        Assert.Equal("0", SparkplugRig.Metric(ndeath, "bdSeq").GetProperty("value").GetString());
        Assert.False(ndeath.GetProperty("hasSeq").GetBoolean());
        Assert.DoesNotContain(" fail: ", gateway.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SparkplugUpstream_GatewayKilledWithSigkill_WillCarriesLastBirthsBdSeq_AndNextStartUsesTheNext()
    {
        await using SparkplugHostPeer host = await SparkplugHostPeer.StartAsync(Broker.AnonymousPort);
        string config = TestConfigs.Write(Directory, $"""
            gateway:
              id: {EdgeNode}
              site: lab
              data_dir: {Path.Combine(Directory, "data")}
            devices:
            {TestConfigs.CounterDevice("counter-1", "50ms")}
            upstream:
              sparkplug:
                servers: ["mqtt://127.0.0.1:{Broker.Port}"]
                group_id: {Group}
            """);

        long firstBdSeq;
        await using (GatewayProcess first = GatewayProcess.Start("run", "--config", config))
        {
            JsonElement nbirth = await first.WithLogAsync(host.WaitForMessageAsync("NBIRTH", timeout: TestTimeouts.Long));
            firstBdSeq = long.Parse(SparkplugRig.Metric(nbirth, "bdSeq").GetProperty("value").GetString()!, CultureInfo.InvariantCulture);
            await first.WithLogAsync(host.WaitForMessageAsync("DDATA"));
            await first.KillAsync(); // SIGKILL: no goodbye; the kernel closes the socket and the broker publishes the Will
        }

        JsonElement ndeath = await host.WaitForMessageAsync("NDEATH");
        Assert.Equal(firstBdSeq.ToString(CultureInfo.InvariantCulture), SparkplugRig.Metric(ndeath, "bdSeq").GetProperty("value").GetString());
        Assert.Equal(4, SparkplugRig.Metric(ndeath, "bdSeq").GetProperty("datatype").GetInt32()); // Int64
        Assert.False(ndeath.GetProperty("hasSeq").GetBoolean());
        Assert.Equal(1, ndeath.GetProperty("qos").GetInt32());

        await using GatewayProcess second = GatewayProcess.Start("run", "--config", config);
        JsonElement reborn = await second.WithLogAsync(host.WaitForMessageAsync("NBIRTH", nth: 2, timeout: TestTimeouts.Long));
        Assert.Equal((firstBdSeq + 1).ToString(CultureInfo.InvariantCulture), SparkplugRig.Metric(reborn, "bdSeq").GetProperty("value").GetString());
        Assert.Equal("0", reborn.GetProperty("seq").GetString());
    }

    [Fact]
    public async Task SparkplugAndMqtt_SparkplugLinkCut_JsonKeepsFlowing_ThenEveryReadingReplayedAsHistoricalBehindLiveData()
    {
        await using PeerProcess device = await PeerProcess.StartAsync("/usr/bin/python3", PymodbusServer, "tcp", "0", "--quiet");
        await using var relay = TcpRelay.Start(Broker.Port);
        await using SparkplugHostPeer host = await SparkplugHostPeer.StartAsync(Broker.AnonymousPort);
        await using MqttTestSubscriber json = await MqttTestSubscriber.ConnectAsync(Broker.Port, JsonPrefix + "/telemetry/#");
        string config = TestConfigs.Write(Directory, Config(device.Port, sparkplugPort: relay.Port, mqttPort: Broker.Port) + "http:\n  listen: 127.0.0.1:0\n");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int httpPort = await gateway.WaitForHttpPortAsync();
        using var http = new HttpClient();

        await gateway.WithLogAsync(WaitForMessagesAsync(host, m => ReadsValues(m, historical: false).Count >= 5, TestTimeouts.Long));
        var jsonReadings = new List<ReceivedMessage>();
        jsonReadings.AddRange(await gateway.WithLogAsync(json.CollectUntilAsync(r => JsonReads(r).Count >= 5, TestTimeouts.Long)));

        // The Sparkplug link goes down; the JSON upstream keeps delivering (and acknowledging) every poll meanwhile.
        relay.Cut();
        long lastBeforeCut = ReadsValues(host.Messages, historical: false).Max();
        jsonReadings.AddRange(await gateway.WithLogAsync(json.CollectUntilAsync(r => JsonReads([.. jsonReadings, .. r]).Max() >= lastBeforeCut + 40, TestTimeouts.Long)));
        long lastDuringCut = JsonReads(jsonReadings).Max();
        string cut = await GatewayMetrics.WaitForAsync(http, httpPort, m => m.Contains(SparkplugConnected(0), StringComparison.Ordinal));
        Assert.Contains($"smartcity_edge_upstream_connected{{publisher=\"mqtt 127.0.0.1:{Broker.Port}\"}} 1", cut, StringComparison.Ordinal);
        relay.Restore();

        // A new session (a new bdSeq: connects refused meanwhile may have used some up) whose births come first, then
        // the readings of the outage as history behind live data: every counter value from the first DDATA on is there.
        JsonElement nbirth = await gateway.WithLogAsync(host.WaitForMessageAsync("NBIRTH", nth: 2, timeout: TestTimeouts.Long));
        Assert.True(long.Parse(SparkplugRig.Metric(nbirth, "bdSeq").GetProperty("value").GetString()!, CultureInfo.InvariantCulture) > 0);
        long first = ReadsValues(host.Messages, historical: false)[0];
        IReadOnlyList<JsonElement> all = await gateway.WithLogAsync(WaitForMessagesAsync(
            host,
            m => SparkplugHostLog.Covers(m, "reads", first, lastDuringCut + 20),
            TestTimeouts.Long));
        List<List<JsonElement>> sessions = SparkplugHostLog.Sessions(all);
        List<JsonElement> second = sessions[1];

        // What a failure needs to be understood (seen once under load, not reproduced since): the host's view of the
        // sessions, with the gateway's log.
        string seen = $"{sessions.Count} sessions (an NBIRTH each) of {string.Join(", ", sessions.Select(x => x.Count))} messages; "
            + $"second session: live {string.Join(",", ReadsValues(second, historical: false))}; historical {string.Join(",", ReadsValues(second, historical: true))}\n{gateway.Log}";
        try
        {
            SparkplugHostLog.AssertHistoryBehindBirth(second, "reads");
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n{seen}");
        }

        Assert.True(ReadsValues(second, historical: true).Count >= 20, $"the readings of the outage were not replayed as history: {seen}");

        await GatewayMetrics.WaitForAsync(http, httpPort, m => m.Contains(SparkplugConnected(1), StringComparison.Ordinal));

        // The JSON upstream missed nothing either.
        List<long> jsonValues = JsonReads(jsonReadings);
        Assert.Equal(Enumerable.Range(0, jsonValues.Count).Select(i => jsonValues[0] + i), jsonValues);
        Assert.DoesNotContain(" fail: ", gateway.Log, StringComparison.Ordinal);
    }

    /// <summary>A Modbus meter (pymodbus): a read counter that moves every poll, a float32 and an int16 constant; an alarm on the float.</summary>
    private string Config(int modbusPort, int sparkplugPort, int? mqttPort)
    {
        string mqtt = mqttPort is { } port
            ? $"  mqtt:\n    server: mqtt://127.0.0.1:{port}\n    client_id: {EdgeNode}-json\n    topic_prefix: {JsonPrefix}\n    qos: 1\n"
            : string.Empty;
        return $$"""
            gateway:
              id: {{EdgeNode}}
              site: lab
              data_dir: {{Path.Combine(Directory, "data")}}
            devices:
              - id: meter
                driver: modbus-tcp
                host: 127.0.0.1
                port: {{modbusPort}}
                unit_id: 1
                poll_interval: 50ms
                timeout: 1s
                tags:
                  - id: reads
                    address: "holding:980"
                    type: uint16
                  - id: f32
                    address: "holding:104"
                    type: float32
                  - id: i16
                    address: "holding:0"
                    type: int16
            alarms:
              - id: f32-low
                tag: meter/f32
                below: 0
                severity: high
                message: "f32 at {value}"
            upstream:
              sparkplug:
                servers: ["mqtt://127.0.0.1:{{sparkplugPort}}"]
                group_id: {{Group}}

            """ + mqtt;
    }

    private static string SparkplugConnected(int value) => $"smartcity_edge_upstream_connected{{publisher=\"sparkplug\"}} {value}";

    private static List<long> ReadsValues(IEnumerable<JsonElement> messages, bool historical) => SparkplugHostLog.Values(messages, "reads", historical);

    private static Task<IReadOnlyList<JsonElement>> WaitForMessagesAsync(SparkplugHostPeer host, Func<IReadOnlyList<JsonElement>, bool> done, TimeSpan timeout) =>
        SparkplugHostLog.WaitForMessagesAsync(host, done, timeout);

    private static List<long> JsonReads(IEnumerable<ReceivedMessage> messages) =>
        TelemetryLog.Readings(messages)
            .Where(r => r.Reading.GetProperty("tag").GetString() == "reads" && r.Reading.GetProperty("value").ValueKind == JsonValueKind.Number)
            .Select(r => r.Reading.GetProperty("value").GetInt64())
            .ToList();

    private static bool IsAlarmActive(JsonElement message) =>
        (SparkplugRig.IsMessage(message, "NBIRTH") || SparkplugRig.IsMessage(message, "NDATA"))
        && message.GetProperty("metrics").EnumerateArray().Any(x => x.GetProperty("resolvedName").GetString() == "Alarms/f32-low/State" && x.GetProperty("resolvedValue").GetString() == "active")
        && message.GetProperty("metrics").EnumerateArray().Any(x => x.GetProperty("resolvedName").GetString() == "Alarms/f32-low/Severity" && x.GetProperty("resolvedValue").GetString() == "high");
}
